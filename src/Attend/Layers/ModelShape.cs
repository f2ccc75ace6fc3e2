namespace Attend.Layers;

/// <summary>The sizes a layer needs: dModel, heads, dFF, activation, norm placement and epsilon.</summary>
public sealed record ModelShape(int DModel, int Heads, int DFF, Activation Activation, bool NormFirst, float LayerNormEps);
