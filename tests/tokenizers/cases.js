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
  return cases;
}

module.exports = { build };
