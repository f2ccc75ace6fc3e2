// Streams a completion from an Attend server with the official npm openai client and prints what it received as JSON.
// Usage: node completions-stream.mjs BASE_URL MODEL PROMPT MAX_TOKENS SEED
import OpenAI from 'openai';

const [baseURL, model, prompt, maxTokens, seed] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0, timeout: 30000 });
const stream = await client.completions.create({
  model, prompt, max_tokens: Number(maxTokens), seed: Number(seed), temperature: 0.8, stream: true,
  stream_options: { include_usage: true },
});
let text = '';
let chunks = 0;
let finish = null;
let usage = null;
for await (const chunk of stream) {
  chunks++;
  for (const choice of chunk.choices) {
    text += choice.text;
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  if (chunk.usage) usage = chunk.usage;
}
console.log(JSON.stringify({ text, chunks, finish, usage }));
