using System.IO.Compression;
using System.Text;

namespace Attend.Tokenization;

/// <summary>
/// Unicode normalization forms NFD, NFKD, NFC and NFKC (UAX #15) from the Unicode 15 tables embedded in the assembly
/// (<c>unicode-normalization.bin</c>, made by tests/tokenizers/make_unicode_tables.py), so results do not depend on
/// the host's ICU; Attend runs with InvariantGlobalization, where <see cref="string.Normalize()"/> is not complete.
/// Decomposition: each code point replaced by its full mapping (Hangul syllables algorithmically), then combining
/// marks put in canonical order; composition: each starter combined with the following marks it has a primary
/// composite with, unless blocked.
/// </summary>
internal static class UnicodeNormalization
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly Tables s_tables = Load();

    /// <summary>The text in the given form.</summary>
    public static string Normalize(string text, NormalizationForm form)
    {
        if (IsAsciiOnly(text))
            return text;
        bool compat = form is NormalizationForm.FormKD or NormalizationForm.FormKC;
        var cps = new List<int>(text.Length + 8);
        for (int i = 0; i < text.Length;)
        {
            int cp = UnicodeClasses.CodePointAt(text, i, out int length);
            i += length;
            Decompose(cp, compat, cps);
        }
        SortMarks(cps);
        if (form is NormalizationForm.FormC or NormalizationForm.FormKC)
            Compose(cps);
        var sb = new StringBuilder(cps.Count);
        foreach (int cp in cps)
        {
            if (cp < 0x10000)
                sb.Append((char)cp);
            else
                sb.Append(char.ConvertFromUtf32(cp));
        }
        return sb.ToString();
    }

    /// <summary>Appends the full decomposition of one code point.</summary>
    public static void Decompose(int cp, bool compat, List<int> output)
    {
        if (cp < 0xC0)
        {
            if (!compat || cp < 0xA0)
            {
                output.Add(cp);
                return;
            }
        }
        int s = cp - SBase;
        if ((uint)s < SCount)
        {
            output.Add(LBase + s / NCount);
            output.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0)
                output.Add(TBase + s % TCount);
            return;
        }
        if (s_tables.Mappings.TryGetValue(cp, out (bool Compat, int[] Parts) m) && (compat || !m.Compat))
        {
            foreach (int part in m.Parts)
                Decompose(part, compat, output);
            return;
        }
        output.Add(cp);
    }

    /// <summary>The canonical combining class of a code point (0 for starters).</summary>
    public static int CombiningClass(int cp) => cp < 0x300 ? 0 : s_tables.Classes.GetValueOrDefault(cp);

    private static bool IsAsciiOnly(string text)
    {
        foreach (char c in text)
            if (c >= 0x80)
                return false;
        return true;
    }

    // Canonical ordering: a stable sort of each run of non-starters by combining class.
    private static void SortMarks(List<int> cps)
    {
        for (int i = 1; i < cps.Count; i++)
        {
            int cc = CombiningClass(cps[i]);
            if (cc == 0)
                continue;
            int j = i;
            int cp = cps[i];
            while (j > 0 && CombiningClass(cps[j - 1]) > cc)
            {
                cps[j] = cps[j - 1];
                j--;
            }
            cps[j] = cp;
        }
    }

    // Canonical composition: each character combines with the last starter when nothing between them blocks it
    // (a character between with class 0 or with a class not below its own).
    private static void Compose(List<int> cps)
    {
        int starter = -1, lastClass = -1, write = 0;
        for (int read = 0; read < cps.Count; read++)
        {
            int cp = cps[read];
            int cc = CombiningClass(cp);
            if (starter >= 0)
            {
                bool blocked = lastClass != -1 && (lastClass == 0 || lastClass >= cc);
                if (!blocked && TryCompose(cps[starter], cp, out int composed))
                {
                    cps[starter] = composed;
                    continue;
                }
            }
            if (cc == 0)
            {
                starter = write;
                lastClass = -1;
            }
            else
            {
                lastClass = cc;
            }
            cps[write++] = cp;
        }
        cps.RemoveRange(write, cps.Count - write);
    }

    private static bool TryCompose(int first, int second, out int composed)
    {
        int l = first - LBase;
        if ((uint)l < LCount)
        {
            int v = second - VBase;
            if ((uint)v < VCount)
            {
                composed = SBase + (l * VCount + v) * TCount;
                return true;
            }
        }
        int s = first - SBase;
        if ((uint)s < SCount && s % TCount == 0)
        {
            int t = second - TBase;
            if (t > 0 && t < TCount)
            {
                composed = first + t;
                return true;
            }
        }
        return s_tables.Compositions.TryGetValue(((long)first << 21) | (uint)second, out composed);
    }

    private sealed record Tables(Dictionary<int, byte> Classes, Dictionary<int, (bool Compat, int[] Parts)> Mappings,
        Dictionary<long, int> Compositions);

    private static Tables Load()
    {
        using Stream resource = typeof(UnicodeNormalization).Assembly.GetManifestResourceStream("Attend.Tokenization.unicode-normalization.bin")
            ?? throw new InvalidOperationException("the Unicode normalization tables are missing from the assembly");
        using var deflate = new DeflateStream(resource, CompressionMode.Decompress);
        var bytes = new MemoryStream();
        deflate.CopyTo(bytes);
        byte[] data = bytes.ToArray();
        int at = 0;
        int U24() { int v = data[at] | data[at + 1] << 8 | data[at + 2] << 16; at += 3; return v; }
        int U32() { int v = BitConverter.ToInt32(data, at); at += 4; return v; }
        var classes = new Dictionary<int, byte>();
        for (int n = U32(); n > 0; n--)
        {
            int cp = U24();
            classes[cp] = data[at++];
        }
        var mappings = new Dictionary<int, (bool, int[])>();
        for (int n = U32(); n > 0; n--)
        {
            int cp = U24();
            bool compat = data[at++] != 0;
            var parts = new int[data[at++]];
            for (int k = 0; k < parts.Length; k++)
                parts[k] = U24();
            mappings[cp] = (compat, parts);
        }
        var excluded = new HashSet<int>();
        for (int n = U32(); n > 0; n--)
            excluded.Add(U24());
        var compositions = new Dictionary<long, int>();
        foreach ((int cp, (bool compat, int[] parts)) in mappings)
            if (!compat && parts.Length == 2 && !excluded.Contains(cp))
                compositions[((long)parts[0] << 21) | (uint)parts[1]] = cp;
        return new Tables(classes, mappings, compositions);
    }
}
