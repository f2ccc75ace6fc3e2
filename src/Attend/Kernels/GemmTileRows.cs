namespace Attend.Kernels;

/// <summary>
/// The live rows of a micro-tile, as a type, so that a kernel compiles once per count with the rows beyond it left
/// out: a last partial row panel then costs its own rows only, with the same arithmetic per element as a full tile.
/// </summary>
internal interface IGemmTileRows
{
    /// <summary>The number of live rows.</summary>
    static abstract int Value { get; }
}

/// <summary>Tile row counts 1 to 6.</summary>
internal static class GemmTileRows
{
    public readonly struct One : IGemmTileRows { public static int Value => 1; }

    public readonly struct Two : IGemmTileRows { public static int Value => 2; }

    public readonly struct Three : IGemmTileRows { public static int Value => 3; }

    public readonly struct Four : IGemmTileRows { public static int Value => 4; }

    public readonly struct Five : IGemmTileRows { public static int Value => 5; }

    public readonly struct Six : IGemmTileRows { public static int Value => 6; }
}
