namespace Attend.Tensors;

/// <summary>
/// A float32 tensor of rank 1 to 4 in contiguous row-major storage, with reverse-mode autograd:
/// an operation on tensors that require gradients records how to send its output's gradient back to its inputs,
/// and <see cref="Backward"/> on a scalar runs those records in reverse topological order. Inside a
/// <see cref="Workspace"/> scope, the results and views that operations create are pooled objects that serve again
/// after the scope ends: use them only inside it.
/// </summary>
public sealed class Tensor
{
    private Tensor? _viewOf;
    private float[]? _grad;
    private int _gradOffset;
    // The gradient buffer was rented without clearing and nothing has written it yet: its value is zero. Reading it
    // through Grad clears it first; a backward rule that writes every element asks GradToOverwrite instead and assigns.
    private bool _gradUnwritten;

    internal Tensor(Shape shape, float[] buffer, int offset) => SetStorage(shape, buffer, offset);

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; private set; }

    /// <summary>The number of elements.</summary>
    public int Length => Shape.Size;

    /// <summary>True when gradients flow to or through this tensor.</summary>
    public bool RequiresGrad { get; private set; }

    /// <summary>An optional name, used in error messages and checkpoints.</summary>
    public string? Name { get; set; }

    internal float[] Buffer { get; private set; }

    internal int Offset { get; private set; }

    // The operation that made this tensor, a node of the graph the backward pass walks: up to three inputs inline
    // (more only for Concat), its backward rule and what it saved. A static rule that reads all it needs from the
    // result tensor is a cached delegate, so recording an operation allocates nothing.
    private Tensor? _input0, _input1, _input2;
    private Tensor[]? _moreInputs;
    private Action<Tensor>? _backward;

    /// <summary>What the operation that made this tensor kept for its backward rule.</summary>
    internal SavedForBackward Saved;

    /// <summary>The number of inputs the operation that made this tensor recorded (0 for a leaf or without gradients).</summary>
    internal int InputCount => _moreInputs?.Length ?? (_input2 is not null ? 3 : _input1 is not null ? 2 : _input0 is not null ? 1 : 0);

    /// <summary>The first input of the operation that made this tensor.</summary>
    internal Tensor Input0 => _input0 ?? throw new InvalidOperationException("Tensor: no recorded input");

    /// <summary>The second input of the operation that made this tensor.</summary>
    internal Tensor Input1 => _input1 ?? throw new InvalidOperationException("Tensor: no second recorded input");

    /// <summary>The third input, or null when the operation had two (an optional bias).</summary>
    internal Tensor? Input2 => _input2;

    /// <summary>Input <paramref name="i"/> of the operation that made this tensor.</summary>
    internal Tensor Input(int i) => _moreInputs is { } more ? more[i] : i switch
    {
        0 => Input0,
        1 => Input1,
        _ => _input2 ?? throw new InvalidOperationException("Tensor: no third recorded input"),
    };

    /// <summary>
    /// The values, row-major, to read or write. On a parameter (or a view of one) taking this span counts as a write: it
    /// retires the packed copies of the weights that inference keeps (read through <see cref="ReadOnlyData"/> to keep them).
    /// </summary>
    public Span<float> Data
    {
        get
        {
            Span<float> values = Values();
            Packs?.Written();
            return values;
        }
    }

    /// <summary>The values, row-major, to read.</summary>
    public ReadOnlySpan<float> ReadOnlyData => Values();

    /// <summary>The packed weights of the parameter slab this tensor lies in, or null when it is not a parameter.</summary>
    internal WeightPacks? Packs { get; private set; }

    private Span<float> Values() => Offset + Shape.Size <= Buffer.Length
        ? Buffer.AsSpan(Offset, Shape.Size)
        : throw new InvalidOperationException($"Tensor {Shape}: its storage went back to the workspace (after the backward pass that used it, or when its scope ended)");

    /// <summary>True once a gradient buffer exists.</summary>
    public bool HasGrad => (_viewOf ?? this)._grad is not null;

    /// <summary>The gradient of the last <see cref="Backward"/> with respect to this tensor (allocated as zeros on first use).</summary>
    public Span<float> Grad
    {
        get
        {
            EnsureGrad();
            (_viewOf ?? this).ClearIfUnwritten();
            return _grad.AsSpan(_gradOffset, Shape.Size);
        }
    }

    /// <summary>
    /// The gradient for a backward rule that will write every element of it: <paramref name="overwrite"/> is true when it
    /// holds nothing yet (it is logically zero), so the rule may assign (a GEMM with beta 0, a copy) instead of adding;
    /// either way the gradient counts as written afterwards. Call it on the calling thread, before a parallel region.
    /// </summary>
    internal Span<float> GradToOverwrite(out bool overwrite)
    {
        EnsureGrad();
        Tensor root = _viewOf ?? this;
        overwrite = root._gradUnwritten && Length == root.Length;
        if (overwrite)
            root._gradUnwritten = false;
        else
            root.ClearIfUnwritten();
        return _grad.AsSpan(_gradOffset, Shape.Size);
    }

    private void ClearIfUnwritten()
    {
        if (!_gradUnwritten)
            return;
        _grad.AsSpan(_gradOffset, Shape.Size).Clear();
        _gradUnwritten = false;
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
        if (_backward is not null)
            throw new InvalidOperationException("RequireGrad: only a leaf tensor (not the result of an operation) can be marked");
        RequiresGrad = true;
        return this;
    }

    /// <summary>The single value of a one-element tensor.</summary>
    public float Item() =>
        Length == 1 ? ReadOnlyData[0] : throw new InvalidOperationException($"Item: tensor of shape {Shape} is not a single value");

    /// <summary>A copy of the values.</summary>
    public float[] ToArray() => ReadOnlyData.ToArray();

    /// <summary>A new tensor with the same storage and no history: gradients do not flow through it.</summary>
    public Tensor Detach()
    {
        Tensor t = Create(Shape, Buffer, Offset);
        t.Packs = Packs;
        return t;
    }

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
        return ViewOf(shape, Offset);
    }

    /// <summary>
    /// Computes the gradient of this one-element tensor with respect to every tensor that requires gradients
    /// and led to it; gradients accumulate (+=) into existing ones. Inside a <see cref="Workspace"/> scope the values and
    /// gradients of intermediate results (not leaves, not this tensor) go back to the pool as the pass proceeds: read
    /// what you need of them before calling Backward. <paramref name="gradientReady"/>, when given, is called with each
    /// leaf (a parameter) as soon as its gradient is final: every operation that reads it has sent its share (they come
    /// after it in topological order), so data parallelism can reduce it while the pass goes on.
    /// </summary>
    public void Backward(Action<Tensor>? gradientReady = null)
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
            if (t._backward is { } backward)
            {
                backward(t);
                t.ForgetOperation();
                if (t != this)
                    t.ReleaseStorage();
            }
            else if (t._viewOf is not null)
            {
                t.ForgetOperation();
            }
            else
            {
                gradientReady?.Invoke(t);
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
            (_grad, _gradUnwritten) = (null, false);
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
        Span<int> dims = stackalloc int[Shape.Rank];
        for (int i = 0; i < dims.Length; i++)
            dims[i] = Shape[i];
        dims[0] = count;
        return ViewOf(new Shape(dims), Offset + start * rowSize);
    }

    // A view sharing this tensor's storage and gradient; its backward is the root's (the gradient lands there directly).
    private Tensor ViewOf(Shape shape, int offset)
    {
        Tensor view = Create(shape, Buffer, offset);
        view._viewOf = _viewOf ?? this;
        view.Packs = Packs;
        if (RequiresGrad && Autograd.IsEnabled)
        {
            view.RequiresGrad = true;
            view._input0 = this;
        }
        return view;
    }

    /// <summary>Points this tensor's storage and gradient into shared slabs (parameters as views of one slab) whose writes <paramref name="packs"/> tracks.</summary>
    internal void Bind(float[] data, float[] grad, int offset, WeightPacks packs)
    {
        Packs = packs;
        Buffer = data;
        Offset = offset;
        _grad = grad;
        _gradOffset = offset;
        _gradUnwritten = false;
    }

    /// <summary>
    /// A tensor over <paramref name="buffer"/>: inside a <see cref="Workspace"/> scope a pooled object that goes back to
    /// the pool when the scope ends (so a training step creates no tensor objects once warm), else a new one.
    /// </summary>
    internal static Tensor Create(Shape shape, float[] buffer, int offset)
    {
        if (Workspace.TakeTensor() is not { } t)
            return new Tensor(shape, buffer, offset);
        t.SetStorage(shape, buffer, offset);
        return t;
    }

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(Buffer))]
    private void SetStorage(Shape shape, float[] buffer, int offset)
    {
        if (offset < 0 || buffer.Length - offset < shape.Size)
            throw new ArgumentException($"Tensor: storage of {buffer.Length} floats at offset {offset} cannot hold {shape}");
        (Shape, Buffer, Offset) = (shape, buffer, offset);
    }

    /// <summary>An empty tensor object for the workspace's pool.</summary>
    internal static Tensor Blank() => new(new Shape(0), [], 0);

    /// <summary>
    /// Clears every reference this pooled tensor holds when its scope ends; a stale reference to it then finds no
    /// storage (<see cref="Data"/> throws) until the object serves again.
    /// </summary>
    internal void Recycle()
    {
        ForgetOperation();
        (Buffer, Offset, _grad, _gradOffset, _gradUnwritten, _viewOf, RequiresGrad, Name, Packs) = ([], 0, null, 0, false, null, false, null, null);
    }

    /// <summary>
    /// Creates the uninitialised result of an operation on <paramref name="inputs"/>, recording them when gradients
    /// flow (the span of a params call lives on the stack: no array is allocated).
    /// </summary>
    internal static Tensor Result(Shape shape, params ReadOnlySpan<Tensor> inputs)
    {
        Tensor t = Create(shape, Workspace.Rent(shape.Size, clear: false), 0);
        if (!Autograd.IsEnabled)
            return t;
        foreach (Tensor input in inputs)
            t.RequiresGrad |= input.RequiresGrad;
        if (!t.RequiresGrad)
            return t;
        if (inputs.Length > 3)
            t._moreInputs = inputs.ToArray();
        else
            (t._input0, t._input1, t._input2) = (inputs[0], inputs.Length > 1 ? inputs[1] : null, inputs.Length > 2 ? inputs[2] : null);
        return t;
    }

    /// <summary>
    /// Keeps rented buffers in <see cref="Saved"/> (Buffer0, Buffer1) for the backward rule when gradients flow through
    /// this result; otherwise no backward will read them, and they go back to the workspace now.
    /// </summary>
    internal void SaveForBackward(float[] buffer0, float[]? buffer1 = null)
    {
        if (RequiresGrad)
        {
            (Saved.Buffer0, Saved.Buffer1) = (buffer0, buffer1);
            return;
        }
        Workspace.Release(buffer0);
        if (buffer1 is not null)
            Workspace.Release(buffer1);
    }

    /// <summary>
    /// Sets the rule that sends this result's gradient to its inputs, a static lambda that reads the inputs
    /// (<see cref="Input0"/>...) and <see cref="Saved"/> from the tensor it is given: this one.
    /// </summary>
    internal void SetBackward(Action<Tensor> backward)
    {
        if (RequiresGrad)
            _backward = backward;
    }

    // Drops the record of the operation once its backward has run (or the tensor is recycled).
    private void ForgetOperation()
    {
        (_input0, _input1, _input2, _moreInputs, _backward) = (null, null, null, null, null);
        Saved = default;
    }

    /// <summary>
    /// Creates the gradient buffer now, on the calling thread. Operations call it before a parallel region that writes
    /// the gradient, so the buffer comes from the calling thread's workspace and two workers never race to create it.
    /// </summary>
    internal void PrepareGrad()
    {
        if (RequiresGrad)
            _ = Grad;
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
        if (_grad is null)
            (_grad, _gradUnwritten) = (Workspace.Rent(Shape.Size, clear: false), true);
    }
}
