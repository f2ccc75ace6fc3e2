namespace Attend.IO.Onnx;

/// <summary>What the imported folder adds to the ONNX graph, which holds the encoder alone.</summary>
public sealed record OnnxImportOptions
{
    /// <summary>The sentence-transformers pooling of the folder: "mean" (all-MiniLM-L6-v2's), "cls" or "max".</summary>
    public string Pooling { get; init; } = "mean";

    /// <summary>Whether the folder's sentence embeddings are scaled to unit length (a Normalize module).</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>A WordPiece vocab.txt (CRLF or LF) to copy into the folder, or null.</summary>
    public string? Vocabulary { get; init; }
}
