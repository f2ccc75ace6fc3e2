namespace Attend.Tensors;

/// <summary>
/// A float32 tensor of rank 1 to 4 in contiguous row-major storage, with reverse-mode autograd:
/// an operation on tensors that require gradients records how to send its output's gradient back to its inputs,
/// and <see cref="Backward"/> on a scalar runs those records in reverse topological order.
/// </summary>
public sealed class Tensor
{
    private Tensor? _viewOf;
    private float[]? _grad;
    private int _gradOffset;

    internal Tensor(Shape shape, float[] buffer, int offset)
    {
        if (offset < 0 || buffer.Length - offset < shape.Size)
            throw new ArgumentException($"Tensor: storage of {buffer.Length} floats at offset {offset} cannot hold {shape}");
        Shape = shape;
        Buffer = buffer;
        Offset = offset;
    }

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; private init; }

    /// <summary>The number of elements.</summary>
    public int Length => Shape.Size;

    /// <summary>True when gradients flow to or through this tensor.</summary>
    public bool RequiresGrad { get; private set; }

    /// <summary>An optional name, used in error messages and checkpoints.</summary>
    public string? Name { get; set; }

    internal float[] Buffer { get; private set; }

    internal int Offset { get; private set; }

    internal Tensor[] Parents { get; private set; } = [];

    internal Action? BackwardFn { get; private set; }

    /// <summary>The values, row-major.</summary>
    public Span<float> Data => Offset + Shape.Size <= Buffer.Length
        ? Buffer.AsSpan(Offset, Shape.Size)
        : throw new InvalidOperationException($"Tensor {Shape}: its storage went back to the workspace after the backward pass that used it");

    /// <summary>True once a gradient buffer exists.</summary>
    public bool HasGrad => (_viewOf ?? this)._grad is not null;

    /// <summary>The gradient of the last <see cref="Backward"/> with respect to this tensor (allocated as zeros on first use).</summary>
    public Span<float> Grad
    {
        get
        {
            EnsureGrad();
            return _grad.AsSpan(_gradOffset, Shape.Size);
        }
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params ReadOnlySpan<int> dims) => Zeros(new Shape(dims));

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape) => new(shape, new float[shape.Size], 0);

    /// <summary>A tensor holding a copy of <paramref name="values"/>.</summary>
    public static Tensor From(ReadOnlySpan<float> values, params ReadOnlySpan<int> dims)
    {
        var shape = new Shape(dims);
        if (values.Length != shape.Size)
            throw new ArgumentException($"Tensor.From: {values.Length} values do not fill shape {shape}");
        return new Tensor(shape, values.ToArray(), 0);
    }

    /// <summary>A tensor whose storage is <paramref name="values"/> itself (no copy).</summary>
    public static Tensor Wrap(float[] values, params ReadOnlySpan<int> dims)
    {
        var shape = new Shape(dims);
        if (values.Length != shape.Size)
            throw new ArgumentException($"Tensor.Wrap: {values.Length} values do not fill shape {shape}");
        return new Tensor(shape, values, 0);
    }

    /// <summary>A one-element tensor.</summary>
    public static Tensor Scalar(float value) => From([value], 1);

    /// <summary>Marks this leaf tensor as one whose gradient is wanted; returns itself.</summary>
    public Tensor RequireGrad()
    {
        if (BackwardFn is not null)
            throw new InvalidOperationException("RequireGrad: only a leaf tensor (not the result of an operation) can be marked");
        RequiresGrad = true;
        return this;
    }

    /// <summary>The single value of a one-element tensor.</summary>
    public float Item() =>
        Length == 1 ? Data[0] : throw new InvalidOperationException($"Item: tensor of shape {Shape} is not a single value");

    /// <summary>A copy of the values.</summary>
    public float[] ToArray() => Data.ToArray();

    /// <summary>A new tensor with the same storage and no history: gradients do not flow through it.</summary>
    public Tensor Detach() => new(Shape, Buffer, Offset);

    /// <summary>Sets the gradient to zero (no-op when none exists yet).</summary>
    public void ZeroGrad()
    {
        if (HasGrad)
            Grad.Clear();
    }

    /// <summary>
    /// A view with other dimensions over the same storage (one dimension may be -1 and is inferred).
    /// Gradients of the view land in the gradient of this tensor.
    /// </summary>
    public Tensor Reshape(params ReadOnlySpan<int> dims)
    {
        Span<int> d = stackalloc int[dims.Length];
        dims.CopyTo(d);
        int infer = -1, known = 1;
        for (int i = 0; i < d.Length; i++)
        {
            if (d[i] == -1)
            {
                if (infer >= 0)
                    throw new ArgumentException($"Reshape: more than one -1 in [{string.Join(", ", dims.ToArray())}]");
                infer = i;
            }
            else
            {
                known *= d[i];
            }
        }
        if (infer >= 0)
            d[infer] = known == 0 ? 0 : Length / known;
        var shape = new Shape(d);
        if (shape.Size != Length)
            throw new ArgumentException($"Reshape: cannot view {Shape} as {shape}");
        var view = new Tensor(shape, Buffer, Offset) { _viewOf = _viewOf ?? this };
        if (RequiresGrad && Autograd.IsEnabled)
        {
            view.RequiresGrad = true;
            view.Parents = [this];
        }
        return view;
    }

    /// <summary>
    /// Computes the gradient of this one-element tensor with respect to every tensor that requires gradients
    /// and led to it; gradients accumulate (+=) into existing ones. Inside a <see cref="Workspace"/> scope the values and
    /// gradients of intermediate results (not leaves, not this tensor) go back to the pool as the pass proceeds: read
    /// what you need of them before calling Backward.
    /// </summary>
    public void Backward()
    {
        if (Length != 1)
            throw new InvalidOperationException($"Backward: needs a single-value tensor, got shape {Shape}");
        if (!RequiresGrad)
            throw new InvalidOperationException("Backward: this tensor does not depend on any tensor that requires gradients");
        List<Tensor> order = Autograd.TopologicalOrder(this);
        Grad[0] += 1f;
        for (int i = order.Count - 1; i >= 0; i--)
        {
            Tensor t = order[i];
            if (t.BackwardFn is { } backward)
            {
                backward();
                t.BackwardFn = null;
                t.Parents = [];
                if (t != this)
                    t.ReleaseStorage();
            }
            else if (t._viewOf is not null)
            {
                t.Parents = [];
            }
        }
        order.Clear();
    }

    /// <summary>
    /// After this result's own backward has run, every operation that reads its values or gradient has run too (they
    /// come later in topological order), so inside a workspace scope both buffers can serve the rest of the pass.
    /// </summary>
    private void ReleaseStorage()
    {
        if (_viewOf is not null)
            return;
        if (Workspace.Release(Buffer))
            Buffer = [];
        if (_grad is not null && Workspace.Release(_grad))
            _grad = null;
    }

    /// <summary>A tensor whose storage is assigned later by <see cref="Bind"/> (parameters before the slab exists).</summary>
    internal static Tensor Unbound(Shape shape)
    {
        var t = new Tensor(new Shape(0), [], 0) { Shape = shape };
        return t;
    }

    /// <summary>
    /// A view of rows [start, start + count) of the first dimension, sharing storage and gradient
    /// (a slice of a packed weight, such as the query part of in_proj_weight).
    /// </summary>
    public Tensor Rows(int start, int count)
    {
        int rowSize = Shape[0] == 0 ? 0 : Length / Shape[0];
        if (start < 0 || count < 0 || start + count > Shape[0])
            throw new ArgumentException($"Rows: [{start}, {start + count}) is outside the {Shape[0]} rows of {Shape}");
        int[] dims = Shape.ToArray();
        dims[0] = count;
        var view = new Tensor(new Shape(dims), Buffer, Offset + start * rowSize) { _viewOf = _viewOf ?? this };
        if (RequiresGrad && Autograd.IsEnabled)
        {
            view.RequiresGrad = true;
            view.Parents = [this];
        }
        return view;
    }

    /// <summary>Points this tensor's storage and gradient into shared slabs (parameters as views of one slab).</summary>
    internal void Bind(float[] data, float[] grad, int offset)
    {
        Buffer = data;
        Offset = offset;
        _grad = grad;
        _gradOffset = offset;
    }

    /// <summary>Creates the uninitialised result of an operation on <paramref name="inputs"/>, recording them when gradients flow.</summary>
    internal static Tensor Result(Shape shape, params Tensor[] inputs)
    {
        var t = new Tensor(shape, Workspace.Rent(shape.Size, clear: false), 0);
        if (Autograd.IsEnabled)
        {
            foreach (Tensor input in inputs)
            {
                if (input.RequiresGrad)
                {
                    t.RequiresGrad = true;
                    t.Parents = inputs;
                    break;
                }
            }
        }
        return t;
    }

    /// <summary>Sets the function that sends this result's gradient to its inputs.</summary>
    internal void SetBackward(Action backward)
    {
        if (RequiresGrad)
            BackwardFn = backward;
    }

    /// <summary>
    /// Creates the gradient buffer now, on the calling thread. Operations call it before a parallel region that writes
    /// the gradient, so the buffer comes from the calling thread's workspace and two workers never race to create it.
    /// </summary>
    internal void PrepareGrad()
    {
        if (RequiresGrad)
            EnsureGrad();
    }

    private void EnsureGrad()
    {
        if (_viewOf is { } root)
        {
            root.EnsureGrad();
            _grad = root._grad;
            _gradOffset = root._gradOffset + (Offset - root.Offset);
            return;
        }
        _grad ??= Workspace.Rent(Shape.Size, clear: true);
    }
}
