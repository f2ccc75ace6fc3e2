namespace Attend.Tensors;

/// <summary>How a parameter is initialised.</summary>
public enum ParameterInit
{
    /// <summary>All zeros (biases, layer-norm beta).</summary>
    Zeros,

    /// <summary>All ones (layer-norm gamma).</summary>
    Ones,

    /// <summary>Normal(0, 1), as PyTorch's nn.Embedding.</summary>
    Normal,

    /// <summary>Normal(0, 0.02), as nanoGPT.</summary>
    SmallNormal,

    /// <summary>Xavier/Glorot uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)).</summary>
    XavierUniform,

    /// <summary>U(-1/sqrt(fan_in), 1/sqrt(fan_in)), PyTorch's nn.Linear default.</summary>
    LinearUniform,
}

/// <summary>
/// Every trainable parameter of a model as a view into one slab of values, with the gradients in a twin slab
/// (as llm.c does), so zeroing gradients, the optimizer step and saving are flat loops.
/// </summary>
public sealed class ParameterStore
{
    private readonly List<(Tensor Tensor, ParameterInit Init, int FanIn, int FanOut)> _declared = [];
    private readonly Dictionary<string, Tensor> _byName = new(StringComparer.Ordinal);
    private readonly List<(string Alias, string Name)> _aliases = [];
    private readonly HashSet<Tensor> _noDecay = [];
    private readonly List<(Tensor Packed, int FirstPart)> _packed = [];

    private float[] _values = [];

    /// <summary>
    /// The values of every parameter, concatenated in declaration order. Taking the array counts as a write: it retires
    /// the packed copies of the weights that inference keeps (<see cref="Tensor.ReadOnlyData"/> reads a parameter without).
    /// </summary>
    public float[] Values
    {
        get
        {
            Packs.Written();
            return _values;
        }
    }

    /// <summary>The packed copies of the weight matrices that inference reuses while the slab is unchanged.</summary>
    internal WeightPacks Packs { get; } = new();

    /// <summary>The gradients, laid out like <see cref="Values"/>.</summary>
    public float[] Gradients { get; private set; } = [];

    /// <summary>True once <see cref="Build"/> has allocated the slabs.</summary>
    public bool IsBuilt { get; private set; }

    /// <summary>The parameters in declaration order.</summary>
    public IReadOnlyList<Tensor> Parameters => _declared.Select(d => d.Tensor).ToList();

    /// <summary>Other names under which a parameter is also known (tied weights), as (alias, name) pairs.</summary>
    public IReadOnlyList<(string Alias, string Name)> Aliases => _aliases;

    /// <summary>The parameter (or alias) called <paramref name="name"/>, or null.</summary>
    public Tensor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Declares a parameter; its storage exists after <see cref="Build"/>. <paramref name="weightDecay"/> false exempts a
    /// matrix from weight decay (a Vision Transformer's cls_token and pos_embed, as timm's no_weight_decay names them).
    /// </summary>
    public Tensor Create(string name, Shape shape, ParameterInit init, bool weightDecay = true)
    {
        if (IsBuilt)
            throw new InvalidOperationException($"ParameterStore: cannot declare '{name}' after Build");
        if (_byName.ContainsKey(name))
            throw new ArgumentException($"ParameterStore: parameter '{name}' is declared twice");
        Tensor t = Tensor.Unbound(shape);
        t.Name = name;
        t.RequireGrad();
        int fanIn = shape.Rank >= 2 ? shape.Size / shape[0] : shape.Size;
        int fanOut = shape.Rank >= 2 ? shape[0] : shape.Size;
        _declared.Add((t, init, fanIn, fanOut));
        if (!weightDecay)
            _noDecay.Add(t);
        _byName[name] = t;
        return t;
    }

    /// <summary>
    /// Declares the parameters <paramref name="names"/>, each of shape <paramref name="partShape"/>, next to each other
    /// in the slab, and returns one tensor over all of them, [parts * partShape[0], ...]: weights stored under their
    /// own names (Hugging Face's query, key and value) used as one packed projection. Its gradient is theirs.
    /// </summary>
    public Tensor CreatePacked(IReadOnlyList<string> names, Shape partShape, ParameterInit init)
    {
        if (names.Count == 0)
            throw new ArgumentException("ParameterStore: a packed parameter needs at least one part");
        int first = _declared.Count;
        foreach (string name in names)
            Create(name, partShape, init);
        Span<int> dims = stackalloc int[partShape.Rank];
        for (int i = 0; i < dims.Length; i++)
            dims[i] = partShape[i];
        dims[0] *= names.Count;
        Tensor packed = Tensor.Unbound(new Shape(dims));
        packed.RequireGrad();
        _packed.Add((packed, first));
        return packed;
    }

    /// <summary>Makes <paramref name="alias"/> another name of the parameter <paramref name="name"/> (weight tying).</summary>
    public Tensor Alias(string alias, string name)
    {
        Tensor t = Find(name) ?? throw new ArgumentException($"ParameterStore: no parameter '{name}' to alias");
        _byName.Add(alias, t);
        _aliases.Add((alias, name));
        return t;
    }

    /// <summary>Allocates the two slabs, binds every parameter into them, and initialises the values from <paramref name="seed"/>.</summary>
    public void Build(ulong seed)
    {
        if (IsBuilt)
            throw new InvalidOperationException("ParameterStore: already built");
        long total = _declared.Sum(d => (long)d.Tensor.Length);
        if (total > Array.MaxLength)
            throw new InvalidOperationException($"ParameterStore: {total} parameters exceed one array");
        _values = new float[total];
        Gradients = new float[total];
        var rng = new Rng(seed);
        int at = 0;
        int[] offsets = new int[_declared.Count];
        for (int i = 0; i < _declared.Count; i++)
        {
            (Tensor t, ParameterInit init, int fanIn, int fanOut) = _declared[i];
            t.Bind(_values, Gradients, at, Packs);
            Initialise(t.Data, init, fanIn, fanOut, rng);
            offsets[i] = at;
            at += t.Length;
        }
        foreach ((Tensor packed, int first) in _packed)
            packed.Bind(_values, Gradients, offsets[first], Packs);
        IsBuilt = true;
    }

    /// <summary>True when weight decay applies to <paramref name="parameter"/>: matrices (rank 2 and above) not declared exempt.</summary>
    public bool Decays(Tensor parameter) => parameter.Shape.Rank >= 2 && !_noDecay.Contains(parameter);

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad() => Array.Clear(Gradients);

    /// <summary>The number of trainable values.</summary>
    public int Count => _values.Length;

    private static void Initialise(Span<float> data, ParameterInit init, int fanIn, int fanOut, Rng rng)
    {
        switch (init)
        {
            case ParameterInit.Zeros:
                data.Clear();
                break;
            case ParameterInit.Ones:
                data.Fill(1f);
                break;
            case ParameterInit.Normal:
            case ParameterInit.SmallNormal:
                float std = init == ParameterInit.Normal ? 1f : 0.02f;
                for (int i = 0; i < data.Length; i++)
                    data[i] = (float)rng.NextGaussian() * std;
                break;
            default:
                double bound = init == ParameterInit.XavierUniform ? Math.Sqrt(6.0 / (fanIn + fanOut)) : 1.0 / Math.Sqrt(fanIn);
                for (int i = 0; i < data.Length; i++)
                    data[i] = (float)((rng.NextDouble() * 2 - 1) * bound);
                break;
        }
    }
}
