using System.Globalization;

namespace Attend.Tensors;

/// <summary>The dimensions of a tensor, rank 1 to 4, row-major (the last dimension varies fastest).</summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int _d0, _d1, _d2, _d3;

    /// <summary>Creates a shape from 1 to 4 non-negative dimensions.</summary>
    public Shape(params ReadOnlySpan<int> dims)
    {
        if (dims.Length is < 1 or > 4)
            throw new ArgumentException($"Shape: rank must be 1 to 4, got {dims.Length}");
        long size = 1;
        foreach (int d in dims)
        {
            if (d < 0)
                throw new ArgumentException($"Shape: negative dimension in [{string.Join(", ", dims.ToArray())}]");
            size *= d;
        }
        if (size > int.MaxValue)
            throw new ArgumentException($"Shape: [{string.Join(", ", dims.ToArray())}] has more than {int.MaxValue} elements");
        Rank = dims.Length;
        _d0 = dims[0];
        _d1 = Rank > 1 ? dims[1] : 0;
        _d2 = Rank > 2 ? dims[2] : 0;
        _d3 = Rank > 3 ? dims[3] : 0;
        Size = (int)size;
    }

    /// <summary>The number of dimensions.</summary>
    public int Rank { get; }

    /// <summary>The product of the dimensions.</summary>
    public int Size { get; }

    /// <summary>Dimension <paramref name="i"/>; negative counts from the end (-1 is the last).</summary>
    public int this[int i]
    {
        get
        {
            if (i < 0)
                i += Rank;
            if ((uint)i >= (uint)Rank)
                throw new ArgumentOutOfRangeException(nameof(i), i, $"dimension of a rank-{Rank} shape");
            return i switch { 0 => _d0, 1 => _d1, 2 => _d2, _ => _d3 };
        }
    }

    /// <summary>The last dimension.</summary>
    public int Last => this[-1];

    /// <summary>The product of all dimensions but the last: the number of rows.</summary>
    public int Rows => Last == 0 ? 0 : Size / Last;

    /// <summary>The dimensions as a new array.</summary>
    public int[] ToArray()
    {
        int[] a = new int[Rank];
        for (int i = 0; i < Rank; i++)
            a[i] = this[i];
        return a;
    }

    /// <summary>The same dimensions with the last one replaced.</summary>
    public Shape WithLast(int last)
    {
        Span<int> d = stackalloc int[Rank];
        for (int i = 0; i < Rank; i++)
            d[i] = this[i];
        d[^1] = last;
        return new Shape(d);
    }

    /// <inheritdoc/>
    public bool Equals(Shape other)
    {
        if (Rank != other.Rank)
            return false;
        for (int i = 0; i < Rank; i++)
            if (this[i] != other[i])
                return false;
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Rank, _d0, _d1, _d2, _d3);

    /// <summary>Dimension-wise comparison.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    /// <summary>Dimension-wise comparison.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>Formats as <c>[2, 3, 4]</c>.</summary>
    public override string ToString() =>
        "[" + string.Join(", ", ToArray().Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
