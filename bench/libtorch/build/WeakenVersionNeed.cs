using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks one ELF version need (for example GLIBCXX_3.4.32) weak in a copy of a shared library, so the dynamic loader
/// accepts a libstdc++ that lacks that version. TorchSharp-cpu 0.107.0's libLibTorchSharp.so records GLIBCXX_3.4.32 for
/// a single marker symbol (_ZSt21ios_base_library_initv) that no relocation uses; Debian 12's libstdc++ ends at 3.4.30.
/// The file is rewritten through a new file and a rename, so a hard link into the NuGet cache is broken, never written.
/// </summary>
public sealed class WeakenVersionNeed : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    [Required] public string Library { get; set; } = "";
    [Required] public string Version { get; set; } = "";

    public override bool Execute()
    {
        byte[] elf = File.ReadAllBytes(Library);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1)
        {
            Log.LogError($"{Library}: not a little-endian ELF64 file");
            return false;
        }
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3a), shnum = BitConverter.ToUInt16(elf, 0x3c);
        int found = 0, changed = 0;
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed)
                continue;
            long offset = BitConverter.ToInt64(elf, (int)sh + 24);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 40);
            long strings = BitConverter.ToInt64(elf, (int)(shoff + (long)link * shentsize) + 24);
            // Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32;
            // Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
            for (long need = offset; ; )
            {
                int count = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < count; a++)
                {
                    long name = strings + BitConverter.ToUInt32(elf, (int)aux + 8);
                    int end = Array.IndexOf(elf, (byte)0, (int)name);
                    if (Encoding.ASCII.GetString(elf, (int)name, end - (int)name) == Version)
                    {
                        found++;
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)aux + 4);
                            changed++;
                        }
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                if (next == 0)
                    break;
                need += next;
            }
        }
        if (changed > 0)
        {
            string temporary = Library + ".weak";
            File.WriteAllBytes(temporary, elf);
            File.Delete(Library); // unlinks a hard link into the NuGet cache instead of writing through it
            File.Move(temporary, Library);
        }
        Log.LogMessage(MessageImportance.Normal, $"{Library}: {Version} found {found} time(s), marked weak {changed}");
        return true;
    }
}
