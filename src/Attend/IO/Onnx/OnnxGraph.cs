using System.Buffers.Binary;
using Attend.IO.Onnx.Proto;

namespace Attend.IO.Onnx;

/// <summary>
/// An ONNX graph with its edges indexed: the initializer or Constant node behind each value name, the node that
/// produces each value and the nodes that consume it. Tensor contents are read from raw_data or the typed fields.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);

    public OnnxGraph(ModelProto model, string path)
    {
        Path = path;
        Graph = model.Graph ?? throw new InvalidDataException($"{path}: the ONNX model has no graph");
        foreach (TensorProto t in Graph.Initializer)
        {
            if (t.DataLocation == TensorProto.Types.DataLocation.External)
                throw new InvalidDataException($"{path}: initializer '{t.Name}' is stored in an external data file, which the importer does not read");
            _initializers[t.Name] = t;
        }
        foreach (NodeProto node in Graph.Node)
        {
            foreach (string input in node.Input)
            {
                if (!_consumers.TryGetValue(input, out List<NodeProto>? list))
                    _consumers[input] = list = [];
                list.Add(node);
            }
            if (node.OpType == "Constant" && node.Attribute.FirstOrDefault(a => a.Name == "value") is { T: { } value })
                _constants[node.Output[0]] = value;
        }
    }

    /// <summary>The ONNX file, for messages.</summary>
    public string Path { get; }

    /// <summary>The graph.</summary>
    public GraphProto Graph { get; }

    /// <summary>The initializers by name.</summary>
    public IReadOnlyDictionary<string, TensorProto> Initializers => _initializers;

    /// <summary>The nodes that read <paramref name="value"/>.</summary>
    public IReadOnlyList<NodeProto> Consumers(string value) => _consumers.TryGetValue(value, out List<NodeProto>? list) ? list : [];

    /// <summary>The initializer named <paramref name="value"/>, or null.</summary>
    public TensorProto? Initializer(string value) => _initializers.GetValueOrDefault(value);

    /// <summary>The single float that <paramref name="value"/> holds when it is a one-element initializer or Constant.</summary>
    public float? Scalar(string value)
    {
        TensorProto? t = _initializers.GetValueOrDefault(value) ?? _constants.GetValueOrDefault(value);
        if (t is null || t.DataType != (int)TensorProto.Types.DataType.Float || t.Dims.Aggregate(1L, (a, d) => a * d) != 1)
            return null;
        return Floats(t)[0];
    }

    /// <summary>A float tensor's values, row-major.</summary>
    public float[] Floats(TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"{Path}: tensor '{t.Name}' has ONNX data type {t.DataType}, float (1) expected");
        long count = t.Dims.Aggregate(1L, (a, d) => a * d);
        if (count > Array.MaxLength)
            throw new InvalidDataException($"{Path}: tensor '{t.Name}' is too large");
        if (t.RawData.Length > 0)
        {
            if (t.RawData.Length != count * 4)
                throw new InvalidDataException($"{Path}: tensor '{t.Name}' has {t.RawData.Length} bytes of data for {count} floats");
            float[] values = new float[count];
            ReadOnlySpan<byte> raw = t.RawData.Span;
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]);
            return values;
        }
        if (t.FloatData.Count != count)
            throw new InvalidDataException($"{Path}: tensor '{t.Name}' has {t.FloatData.Count} floats for shape [{string.Join(", ", t.Dims)}]");
        return [.. t.FloatData];
    }

    /// <summary>A node's name for messages: its name, else its operator and first output.</summary>
    public static string Describe(NodeProto node) =>
        $"'{(node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault() ?? "?")}' ({(node.Domain is "" or "ai.onnx" ? "" : node.Domain + ".")}{node.OpType})";
}
