namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// The patch embedding of a Vision Transformer, a convolution with kernel and stride P written as what it is: each
    /// P x P patch of images [B, C, H, W] flattened (<see cref="Patches"/>) and projected by one GEMM,
    /// y[b, n] = W patch(b, n) + bias, with W [D, C, P, P] viewed as [D, C P P] (nn.Conv2d's weight layout); y [B, N, D],
    /// N = (H / P)(W / P) patches in row-major order (conv output flattened, as ViT does). Backward through Linear and Patches.
    /// </summary>
    public static Tensor PatchEmbed(Tensor images, Tensor weight, Tensor? bias)
    {
        if (weight.Shape.Rank != 4 || weight.Shape[2] != weight.Shape[3])
            throw new ArgumentException($"PatchEmbed: weight must be [D, C, P, P], got {weight.Shape}");
        int d = weight.Shape[0], c = weight.Shape[1], p = weight.Shape[2];
        if (images.Shape.Rank != 4 || images.Shape[1] != c)
            throw new ArgumentException($"PatchEmbed: images {images.Shape} do not fit weight {weight.Shape} (images are [B, {c}, H, W])");
        return Linear(Patches(images, p), weight.Reshape(d, c * p * p), bias);     // [B, N, D]
    }

    /// <summary>
    /// Cuts images [B, C, H, W] into non-overlapping P x P patches: y [B, N, C P P], N = (H / P)(W / P) in row-major
    /// order, each patch flattened channel by channel, row by row (im2col for a stride equal to the kernel).
    /// Backward puts each patch's gradient back where the patch came from (a permutation: patches do not overlap).
    /// </summary>
    public static Tensor Patches(Tensor images, int patch)
    {
        if (images.Shape.Rank != 4 || patch <= 0 || images.Shape[2] % patch != 0 || images.Shape[3] % patch != 0)
            throw new ArgumentException($"Patches: images {images.Shape} (expected [B, C, H, W]) do not divide into {patch} x {patch} patches");
        int b = images.Shape[0], c = images.Shape[1], h = images.Shape[2], w = images.Shape[3];
        Tensor y = Tensor.Result(new Shape(b, h / patch * (w / patch), c * patch * patch), images);
        RowParallel.For(b, (long)c * h * w, (images, y, patch), static (a, s, e, _) =>
            MovePatches(a.images.Shape, a.patch, s, e, a.images.Data, a.y.Data, toPatches: true));
        y.Saved.Int0 = patch;
        y.SetBackward(static y =>
        {
            // Saved: Int0 = the patch size
            Tensor images = y.Input0;
            if (!images.RequiresGrad)
                return;
            images.PrepareGrad();
            RowParallel.For(images.Shape[0], (long)images.Length / Math.Max(1, images.Shape[0]), (images, y), static (a, s, e, _) =>
                MovePatches(a.images.Shape, a.y.Saved.Int0, s, e, a.images.Grad, a.y.Grad, toPatches: false));
        });
        return y;
    }

    /// <summary>Copies images [first, end) into patch rows (toPatches), or adds patch-row gradients back into the image gradient.</summary>
    private static void MovePatches(Shape shape, int p, int first, int end, Span<float> image, Span<float> patches, bool toPatches)
    {
        int c = shape[1], h = shape[2], w = shape[3], across = w / p, n = h / p * across, k = c * p * p;
        for (int b = first; b < end; b++)
            for (int py = 0; py < h / p; py++)
                for (int px = 0; px < across; px++)
                {
                    Span<float> row = patches.Slice((b * n + py * across + px) * k, k);
                    for (int ch = 0; ch < c; ch++)
                        for (int i = 0; i < p; i++)
                        {
                            Span<float> pixels = image.Slice(((b * c + ch) * h + py * p + i) * w + px * p, p);
                            Span<float> part = row.Slice((ch * p + i) * p, p);
                            if (toPatches)
                            {
                                pixels.CopyTo(part);
                            }
                            else
                            {
                                System.Numerics.Tensors.TensorPrimitives.Add(pixels, part, pixels);
                            }
                        }
                }
    }
}
