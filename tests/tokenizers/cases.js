// The parity cases: base models trained by Hugging Face on the corpus, pruned to a few hundred entries, then dressed
// with components. Each case is a tokenizer.json object; make_fixtures.js loads it into HF and records HF's answers.
const fs = require('fs');
const os = require('os');
const path = require('path');

const BERT_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

function train(hf, model, configure, file) {
  const tok = new hf.Tokenizer(model);
  configure(tok);
  tok.train([file]);
  const f = path.join(os.tmpdir(), `attend-base-${process.pid}.json`);
  tok.save(f, false);
  const json = JSON.parse(fs.readFileSync(f, 'utf8'));
  fs.unlinkSync(f);
  return json;
}

const entries = vocab => Object.entries(vocab).sort((a, b) => a[1] - b[1]);

// The first `size` entries by id (the alphabet, then what training learned first), renumbered from `offset`.
function firstEntries(vocab, size, offset = 0) {
  const kept = {};
  for (const [token, id] of entries(vocab).slice(0, size))
    kept[token] = id + offset;
  return kept;
}

// A BPE model cut to its alphabet plus the first `merges` merges (each merge's result is a token learned in order).
function pruneBpe(model, merges) {
  const all = model.merges.map(m => (Array.isArray(m) ? m : m.split(' ')));
  const results = new Set(all.slice(0, merges).map(([a, b]) => a + b));
  const learned = new Set(all.map(([a, b]) => a + b));
  const vocab = {};
  let next = 0;
  for (const [token] of entries(model.vocab))
    if (!learned.has(token) || results.has(token))
      vocab[token] = next++;
  return { ...model, vocab, merges: all.slice(0, merges) };
}

const added = (id, content, special = true, extra = {}) => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: !special, special, ...extra,
});

function tokenizer(model, parts = {}) {
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null, pre_tokenizer: null,
    post_processor: null, decoder: null, ...parts, model,
  };
}

const template = (single, pair, specials) => ({
  type: 'TemplateProcessing',
  single: single.map(piece),
  pair: pair.map(piece),
  special_tokens: Object.fromEntries(specials.map(([t, id]) => [t, { id: t, ids: [id], tokens: [t] }])),
});

function piece(p) {
  const [name, type] = p.split(':');
  const typeId = Number(type || 0);
  return name === '$A' || name === '$B' ? { Sequence: { id: name[1], type_id: typeId } } : { SpecialToken: { id: name, type_id: typeId } };
}

const bertNormalizer = (lowercase, strip = null) => ({ type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: strip, lowercase });
const byteLevel = (addPrefixSpace, useRegex = true) => ({ type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: useRegex });

function build(hf, file) {
  const cases = {};

  // WordPiece, as transformers converts BERT: specials first, then the trained vocabulary.
  const wp = train(hf, hf.WordPiece.empty(), t => {
    t.setNormalizer(hf.bertNormalizer({ lowercase: true }));
    t.setPreTokenizer(hf.bertPreTokenizer());
  }, file).model;
  const wpVocab = Object.fromEntries(BERT_SPECIALS.map((t, i) => [t, i]));
  Object.assign(wpVocab, firstEntries(Object.fromEntries(entries(wp.vocab).filter(([t]) => !(t in wpVocab))), 1500, BERT_SPECIALS.length));
  const wordPiece = { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: wpVocab };
  const bertAdded = BERT_SPECIALS.map((t, i) => added(i, t));
  const bertTemplate = template(['[CLS]', '$A', '[SEP]'], ['[CLS]', '$A', '[SEP]', '$B:1', '[SEP]:1'], [['[CLS]', 2], ['[SEP]', 3]]);
  cases['bert-uncased'] = tokenizer(wordPiece, {
    added_tokens: bertAdded, normalizer: bertNormalizer(true), pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: bertTemplate, decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  });
  cases['bert-cased-bertprocessing'] = tokenizer(wordPiece, {
    added_tokens: bertAdded, normalizer: bertNormalizer(false), pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] }, decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
  });
  cases['bert-no-clean-chinese-strip-true'] = tokenizer(wordPiece, {
    added_tokens: bertAdded, normalizer: { type: 'BertNormalizer', clean_text: false, handle_chinese_chars: false, strip_accents: true, lowercase: false },
    pre_tokenizer: { type: 'BertPreTokenizer' }, post_processor: bertTemplate, decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  });
  const atVocab = Object.fromEntries(entries(wpVocab).map(([t, id]) => [t.startsWith('##') ? '@@' + t.slice(2) : t, id]));
  atVocab['<unk>'] = atVocab['[UNK]'];
  delete atVocab['[UNK]'];
  cases['wordpiece-options'] = tokenizer({ type: 'WordPiece', unk_token: '<unk>', continuing_subword_prefix: '@@', max_input_chars_per_word: 8, vocab: atVocab }, {
    normalizer: { type: 'Lowercase' }, pre_tokenizer: { type: 'WhitespaceSplit' }, decoder: { type: 'WordPiece', prefix: '@@', cleanup: true },
  });

  // Byte-level BPE trained by HF without the full byte alphabet and without unk_token: unseen bytes are dropped.
  const bl = pruneBpe(train(hf, hf.BPE.empty(), t => t.setPreTokenizer(hf.byteLevelPreTokenizer(false, true)), file).model, 700);
  const blSize = Object.keys(bl.vocab).length;
  cases['bytelevel-bpe'] = tokenizer(bl, {
    added_tokens: [added(blSize, '<|endoftext|>')], pre_tokenizer: byteLevel(false), post_processor: byteLevel(false),
    decoder: byteLevel(false),
  });
  const robertaSpecials = ['<s>', '<pad>', '</s>', '<unk>', '<mask>'];
  const robertaAdded = robertaSpecials.map((t, i) => added(blSize + i, t, true, t === '<mask>' ? { lstrip: true } : {}));
  const robertaVocab = { ...bl.vocab, ...Object.fromEntries(robertaSpecials.map((t, i) => [t, blSize + i])) };
  cases['bytelevel-bpe-roberta'] = tokenizer({ ...bl, unk_token: '<unk>', vocab: robertaVocab }, {
    added_tokens: robertaAdded, pre_tokenizer: byteLevel(true),
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', blSize + 2], cls: ['<s>', blSize], trim_offsets: true, add_prefix_space: true },
    decoder: byteLevel(true),
  });
  cases['bytelevel-bpe-template-split'] = tokenizer({ ...bl, ignore_merges: true }, {
    added_tokens: [added(blSize, '<bos>'), added(blSize + 1, '<eos>'), added(blSize + 2, '<pad>')],
    pre_tokenizer: {
      type: 'Sequence', pretokenizers: [
        { type: 'Split', pattern: { Regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" }, behavior: 'Isolated', invert: false },
        byteLevel(false, false)],
    },
    post_processor: template(['<bos>', '$A', '<eos>'], ['<bos>', '$A', '<eos>', '$B:1', '<eos>:1'], [['<bos>', blSize], ['<eos>', blSize + 1]]),
    decoder: byteLevel(false),
  });
  moreCases(hf, file, cases, { wordPiece, wpVocab, bertAdded, bertTemplate, bl, blSize });
  return cases;
}

// Character-level BPE, WordLevel, Unigram (HF-trained and SentencePiece-converted) and the remaining components.
function moreCases(hf, file, cases, { wordPiece, bertAdded, bertTemplate, bl, blSize }) {
  const spm = require('./sentencepiece');
  const whitespace = { type: 'Whitespace' };

  // Character-level BPE (Whitespace pre-tokenizer) and variants derived from it.
  const cb = pruneBpe(train(hf, hf.BPE.empty(), t => t.setPreTokenizer(hf.whitespacePreTokenizer()), file).model, 500);
  const cbSize = Object.keys(cb.vocab).length;
  const unkVocab = { ...cb.vocab, '<unk>': cbSize };
  cases['bpe-chars-unk'] = tokenizer({ ...cb, unk_token: '<unk>', vocab: unkVocab }, {
    added_tokens: [added(cbSize, '<unk>')], normalizer: { type: 'NFC' }, pre_tokenizer: whitespace,
    post_processor: template(['$A'], ['$A', '$B:1'], []), decoder: { type: 'Fuse' },
  });
  cases['bpe-chars-fuse-unk-nfkc-lowercase'] = tokenizer({ ...cb, unk_token: '<unk>', fuse_unk: true, vocab: unkVocab }, {
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] }, pre_tokenizer: { type: 'WhitespaceSplit' },
  });
  // end_of_word_suffix: each token also exists with "</w>"; merges (a, b) -> ab and (a, b</w>) -> ab</w>.
  const suffixVocab = {};
  for (const [t] of entries(cb.vocab)) { suffixVocab[t] = Object.keys(suffixVocab).length; suffixVocab[t + '</w>'] = Object.keys(suffixVocab).length; }
  const suffixMerges = cb.merges.flatMap(([a, b]) => [[a, b], [a, b + '</w>']]);
  cases['bpe-end-of-word-suffix'] = tokenizer({ ...cb, end_of_word_suffix: '</w>', vocab: suffixVocab, merges: suffixMerges }, {
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'StripAccents' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [whitespace, { type: 'Digits', individual_digits: true }] },
    decoder: { type: 'BPEDecoder', suffix: '</w>' },
  });
  // continuing_subword_prefix "##": (a, ##b) -> ab and (##a, ##b) -> ##ab.
  const prefixVocab = {};
  for (const [t] of entries(cb.vocab)) { prefixVocab[t] = Object.keys(prefixVocab).length; prefixVocab['##' + t] = Object.keys(prefixVocab).length; }
  const prefixMerges = cb.merges.flatMap(([a, b]) => [[a, '##' + b], ['##' + a, '##' + b]]);
  cases['bpe-continuing-subword-prefix'] = tokenizer({ ...cb, continuing_subword_prefix: '##', unk_token: '[UNK]', vocab: { ...prefixVocab, '[UNK]': Object.keys(prefixVocab).length }, merges: prefixMerges }, {
    normalizer: { type: 'NFKD' }, pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Isolated' }, { type: 'Digits', individual_digits: false }] },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
  });
  // byte_fallback with Llama's decoder chain (Replace ▁, ByteFallback, Fuse, Strip) and a Metaspace pre-tokenizer.
  const mb = pruneBpe(train(hf, hf.BPE.empty(), t => t.setPreTokenizer(hf.metaspacePreTokenizer('▁', 'first', false)), file).model, 500);
  const mbSize = Object.keys(mb.vocab).length;
  const byteVocab = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) byteVocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  for (const [t] of entries(mb.vocab)) byteVocab[t] = Object.keys(byteVocab).length;
  cases['bpe-byte-fallback-llama'] = tokenizer({ ...mb, unk_token: '<unk>', byte_fallback: true, fuse_unk: true, vocab: byteVocab }, {
    added_tokens: [added(0, '<unk>'), added(1, '<s>'), added(2, '</s>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
    post_processor: template(['<s>', '$A'], ['<s>', '$A', '<s>:1', '$B:1'], [['<s>', 1]]),
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] },
  });
  cases['bpe-metaspace-first-nosplit'] = tokenizer({ ...mb, unk_token: '<unk>', vocab: { ...mb.vocab, '<unk>': mbSize } }, {
    added_tokens: [added(mbSize, '<unk>'), added(mbSize + 1, 'dog', false, { single_word: true }), added(mbSize + 2, 'SNOW', false, { normalized: true })],
    normalizer: { type: 'Lowercase' }, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false },
  });
  cases['bpe-metaspace-never-split'] = tokenizer({ ...mb, unk_token: '<unk>', vocab: { ...mb.vocab, '<unk>': mbSize } }, {
    normalizer: { type: 'Strip', strip_left: true, strip_right: true }, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: true },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: true },
  });

  // WordLevel on words.
  const wl = train(hf, hf.WordLevel.empty(), t => t.setPreTokenizer(hf.whitespacePreTokenizer()), file).model;
  const wlVocab = { '[UNK]': 0, '[CLS]': 1, '[SEP]': 2, ...firstEntries(wl.vocab, 400, 3) };
  cases['wordlevel'] = tokenizer({ type: 'WordLevel', vocab: wlVocab, unk_token: '[UNK]' }, {
    added_tokens: [added(0, '[UNK]'), added(1, '[CLS]'), added(2, '[SEP]')], normalizer: { type: 'Lowercase' }, pre_tokenizer: whitespace,
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', 2], cls: ['[CLS]', 1] },
  });
  cases['wordlevel-split-behaviors'] = tokenizer({ type: 'WordLevel', vocab: wlVocab, unk_token: '[UNK]' }, {
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { String: ' ' }, behavior: 'MergedWithNext', invert: false },
      { type: 'Split', pattern: { Regex: '[,.!?;:]' }, behavior: 'MergedWithPrevious', invert: false },
      { type: 'Split', pattern: { Regex: '\\s+' }, behavior: 'Removed', invert: false },
      { type: 'CharDelimiterSplit', delimiter: '-' }] },
    decoder: { type: 'CTC', pad_token: '[UNK]', word_delimiter_token: '|', cleanup: true },
  });
  cases['wordlevel-split-contiguous-invert'] = tokenizer({ type: 'WordLevel', vocab: wlVocab, unk_token: '[UNK]' }, {
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: '\\p{L}+' }, behavior: 'Isolated', invert: true },
      { type: 'Split', pattern: { String: 'e' }, behavior: 'Contiguous', invert: false },
      { type: 'Punctuation', behavior: 'Removed' }] },
  });

  // Unigram trained by HF with a Metaspace pre-tokenizer; an <unk> piece added first.
  const ug = train(hf, hf.Unigram.empty(), t => t.setPreTokenizer(hf.metaspacePreTokenizer('▁', 'always', true)), file).model;
  const ugPieces = [['<unk>', 0.0], ...ug.vocab.filter(([p]) => p !== '<unk>').sort((a, b) => b[1] - a[1]).slice(0, 700)];
  cases['unigram'] = tokenizer({ type: 'Unigram', unk_id: 0, vocab: ugPieces, byte_fallback: false }, {
    added_tokens: [added(0, '<unk>')], normalizer: { type: 'NFKC' }, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: { type: 'Sequence', processors: [{ type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }, template(['$A', '<unk>'], ['$A', '<unk>', '$B:1'], [['<unk>', 0]])] },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
  });

  // SentencePiece models from spm_train: the real nmt_nfkc precompiled charsmap; one with byte fallback.
  const spmNfkc = spm.train(file, 'nfkc', []);
  cases['sentencepiece-unigram-precompiled'] = spm.toTokenizerJson(spmNfkc);
  const spmBytes = spm.train(file, 'bytes', ['--byte_fallback=true', '--normalization_rule_name=identity']);
  cases['sentencepiece-unigram-byte-fallback'] = spm.toTokenizerJson(spmBytes);

  // Added-token flags on BERT, with truncation and padding.
  cases['bert-added-token-flags-truncation-padding'] = tokenizer(wordPiece, {
    added_tokens: bertAdded.concat([added(5, '[MASK]', true, { lstrip: true, rstrip: true }), added(1600, 'snow', false, { single_word: true }),
      added(1601, 'München', false, { normalized: true }), added(1602, '<s>', true, { rstrip: true })]).filter((t, i, all) => all.findIndex(u => u.content === t.content) === i),
    normalizer: bertNormalizer(true), pre_tokenizer: { type: 'BertPreTokenizer' }, post_processor: bertTemplate,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    truncation: { direction: 'Right', max_length: 12, strategy: 'LongestFirst', stride: 0 },
    padding: { strategy: { Fixed: 16 }, direction: 'Right', pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: '[PAD]' },
  });
  cases['bert-truncate-left-only-first-pad-left'] = tokenizer(wordPiece, {
    added_tokens: bertAdded, normalizer: bertNormalizer(true), pre_tokenizer: { type: 'BertPreTokenizer' }, post_processor: bertTemplate,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    truncation: { direction: 'Left', max_length: 20, strategy: 'OnlyFirst', stride: 0 },
    padding: { strategy: 'BatchLongest', direction: 'Left', pad_to_multiple_of: 8, pad_id: 0, pad_type_id: 1, pad_token: '[PAD]' },
  });
  // Byte-level BPE variants: ByteLevel without regex, a Split with a string pattern, Sequence post-processor.
  cases['bytelevel-bpe-no-regex-unk'] = tokenizer({ ...bl, unk_token: '<unk>', fuse_unk: false, vocab: { ...bl.vocab, '<unk>': blSize } }, {
    added_tokens: [added(blSize, '<unk>')], pre_tokenizer: byteLevel(false, false), decoder: byteLevel(false),
    post_processor: { type: 'Sequence', processors: [byteLevel(false), template(['$A', '<unk>'], ['$A', '$B:1'], [['<unk>', blSize]])] },
  });
  cases['bpe-ignore-merges-punctuation-merged-next'] = tokenizer({ ...cb, ignore_merges: true }, {
    normalizer: { type: 'NFC' }, pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'MergedWithNext' }] },
  });
  cases['bpe-replace-regex-punctuation-contiguous'] = tokenizer({ ...cb, unk_token: '<unk>', vocab: unkVocab }, {
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Replace', pattern: { Regex: '[0-9]+' }, content: '#' }, { type: 'Replace', pattern: { String: 'the' }, content: 'THE' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [whitespace, { type: 'Punctuation', behavior: 'Contiguous' }] },
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: 'THE' }, content: 'the' }, { type: 'Fuse' }] },
  });
  const fbVocab = { ...cb.vocab };
  for (let b = 0; b < 256; b++) fbVocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = cbSize + b;
  cases['bpe-chars-byte-fallback-no-unk'] = tokenizer({ ...cb, byte_fallback: true, vocab: fbVocab }, {
    pre_tokenizer: whitespace, decoder: { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: 'e', start: 2, stop: 0 }] },
  });
  cases['bytelevel-bpe-added-tokens-nonspecial'] = tokenizer(bl, {
    added_tokens: [added(blSize, '<|endoftext|>', true, { rstrip: true }), added(blSize + 1, ' the dog', false, { normalized: false }),
      added(blSize + 2, 'snow', false, { normalized: true }), added(blSize + 3, '2024', false, { lstrip: true, single_word: true })],
    pre_tokenizer: byteLevel(false), post_processor: byteLevel(false), decoder: byteLevel(false),
  });
  cases['wordpiece-template-two-ids-longest-first'] = tokenizer(wordPiece, {
    added_tokens: bertAdded, normalizer: bertNormalizer(true), pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing', single: ['[CLS]', '$A', '[SEP]'].map(piece), pair: ['[CLS]', '$A:0', '[SEP]', '$B:1', '[SEP]:1'].map(piece),
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2, 4], tokens: ['[CLS]', '[MASK]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    truncation: { direction: 'Right', max_length: 14, strategy: 'LongestFirst', stride: 0 },
  });
  cases['bert-bertprocessing-longest-first-stride'] = tokenizer(wordPiece, {
    added_tokens: bertAdded, normalizer: bertNormalizer(true), pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] }, decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    truncation: { direction: 'Left', max_length: 10, strategy: 'LongestFirst', stride: 2 },
  });
  cases['wordlevel-strip-prepend-digits'] = tokenizer({ type: 'WordLevel', vocab: wlVocab, unk_token: '[UNK]' }, {
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Strip', strip_left: true, strip_right: false }, { type: 'Prepend', prepend: '> ' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Digits', individual_digits: false }] },
  });
  cases['unigram-whitespace-nfkd'] = tokenizer({ type: 'Unigram', unk_id: 0, vocab: ugPieces, byte_fallback: false }, {
    normalizer: { type: 'NFKD' }, pre_tokenizer: whitespace,
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'Strip', content: ' ', start: 1, stop: 1 }] },
  });
  cases['bytelevel-bpe-split-string-prefix-space'] = tokenizer({ ...bl, unk_token: '<unk>', fuse_unk: true, vocab: { ...bl.vocab, '<unk>': blSize } }, {
    normalizer: { type: 'NFD' },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { String: ', ' }, behavior: 'MergedWithPrevious', invert: false }, byteLevel(true)] },
    decoder: byteLevel(true),
  });
}

module.exports = { build };
