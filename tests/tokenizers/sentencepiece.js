// A SentencePiece model trained by Debian's spm_train (apt-get install sentencepiece), read from its protobuf
// ModelProto and converted to tokenizer.json the way transformers' SpmConverter does (T5-style): the real
// precompiled_charsmap (nmt_nfkc rules) as a Precompiled normalizer, Metaspace, Unigram with SentencePiece's scores.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

// Minimal protobuf reading: the fields of one message as [number, wireType, value] (value: Buffer for length-delimited).
function fields(buf) {
  const out = [];
  let at = 0;
  const varint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      const b = buf[at++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const number = key >> 3, wire = key & 7;
    if (wire === 0) out.push([number, wire, varint()]);
    else if (wire === 1) { out.push([number, wire, buf.subarray(at, at + 8)]); at += 8; }
    else if (wire === 2) { const n = Number(varint()); out.push([number, wire, buf.subarray(at, at + n)]); at += n; }
    else if (wire === 5) { out.push([number, wire, buf.subarray(at, at + 4)]); at += 4; }
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

function train(file, name, extra) {
  const prefix = path.join(os.tmpdir(), `attend-spm-${name}`);
  execFileSync('spm_train', [`--input=${file}`, `--model_prefix=${prefix}`, '--vocab_size=600', '--model_type=unigram',
    '--input_sentence_size=20000', '--minloglevel=2', ...extra], { stdio: 'ignore' });
  const model = fs.readFileSync(`${prefix}.model`);
  const pieces = [];
  let charsmap = Buffer.alloc(0), unkId = 0, byteFallback = false, addDummyPrefix = true;
  for (const [n, , v] of fields(model)) {
    if (n === 1) {
      let piece = '', score = 0, type = 1;
      for (const [m, , w] of fields(v)) {
        if (m === 1) piece = w.toString('utf8');
        else if (m === 2) score = w.readFloatLE(0);
        else if (m === 3) type = Number(w);
      }
      if (type === 2) unkId = pieces.length;
      if (type === 6) byteFallback = true;
      pieces.push([piece, score]);
    } else if (n === 3) {
      for (const [m, , w] of fields(v)) {
        if (m === 2) charsmap = Buffer.from(w);
        else if (m === 3) addDummyPrefix = w !== 0n;
      }
    }
  }
  return { pieces, charsmap, unkId, byteFallback, addDummyPrefix };
}

// transformers' SpmConverter + T5Converter's post-processor ("$A </s>").
function toTokenizerJson(spm) {
  const eos = spm.pieces.findIndex(([p]) => p === '</s>');
  const normalizers = [{ type: 'Strip', strip_left: false, strip_right: true }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: '▁' }];
  if (spm.charsmap.length > 0) normalizers.unshift({ type: 'Precompiled', precompiled_charsmap: spm.charsmap.toString('base64') });
  const scheme = spm.addDummyPrefix ? 'always' : 'never';
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: spm.pieces.map(([p], id) => ({ id, p })).filter(t => ['<unk>', '<s>', '</s>'].includes(t.p))
      .map(t => ({ id: t.id, content: t.p, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'Sequence', normalizers },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: scheme, split: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      special_tokens: { '</s>': { id: '</s>', ids: [eos], tokens: ['</s>'] } },
    },
    decoder: spm.byteFallback
      ? { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] }
      : { type: 'Metaspace', replacement: '▁', prepend_scheme: scheme, split: true },
    model: { type: 'Unigram', unk_id: spm.unkId, vocab: spm.pieces, byte_fallback: spm.byteFallback },
  };
}

module.exports = { train, toTokenizerJson };
