'use strict';
// The Attend page: pick a model, type text, see its tokens, the output (streamed for generation), attention heatmaps
// of any layer and head, and for an encoder the cosine similarity of the sentences typed. Talks only to this server.
const $ = id => document.getElementById(id);
let models = [];
let views = [];

function headers() {
  const h = { 'Content-Type': 'application/json' };
  const key = $('key').value.trim();
  if (key) h.Authorization = 'Bearer ' + key;
  return h;
}

async function post(path, body) {
  const r = await fetch(path, { method: 'POST', headers: headers(), body: JSON.stringify(body) });
  const data = await r.json();
  if (!r.ok) throw new Error(data.error ? data.error.message : r.statusText);
  return data;
}

function current() { return models.find(m => m.id === $('model').value); }

function setStatus(text) { $('status').textContent = text || ''; }

async function loadModels() {
  const r = await fetch('/v1/models', { headers: headers() });
  const data = await r.json();
  if (!r.ok) { setStatus(data.error ? data.error.message : r.statusText); return; }
  models = data.data;
  $('model').innerHTML = models.map(m => `<option value="${m.id}">${m.id}</option>`).join('');
  // A link may pick the model and the text, and run them: /?model=NAME&text=TEXT&run=1
  const query = new URLSearchParams(location.search);
  if (query.get('model')) $('model').value = query.get('model');
  if (query.get('text')) $('input').value = query.get('text');
  modelChanged();
  if (query.get('run') === '1') run();
}

function modelChanged() {
  const m = current();
  if (!m) return;
  const task = m.attend.task;
  $('task').textContent = `${m.attend.model_type}, max_len ${m.attend.max_len}, ${m.attend.heads} heads`;
  $('input-label').textContent = task === 'embeddings' ? 'Sentences (one a line)' : task === 'translation' ? 'Sentence to translate' : 'Prompt';
  $('max-label').hidden = task === 'embeddings';
  $('temp-label').hidden = task !== 'generation';
  $('run').textContent = task === 'embeddings' ? 'Embed' : task === 'translation' ? 'Translate' : 'Generate';
  $('output').textContent = '';
  $('similarity-section').hidden = true;
  $('attention-section').hidden = true;
  tokenize();
}

let tokenTimer = 0;
function tokenize() {
  clearTimeout(tokenTimer);
  tokenTimer = setTimeout(async () => {
    const m = current();
    const text = firstLine();
    if (!m || !text) { $('tokens').innerHTML = ''; $('token-count').textContent = ''; return; }
    try {
      const data = await post('/v1/tokenize', { model: m.id, input: text });
      $('tokens').innerHTML = data.tokens.map(t => `<span class="token" title="id ${t.id}">${escapeHtml(t.text)}<small>${t.id}</small></span>`).join('');
      $('token-count').textContent = `${data.tokens.length} of ${data.max_len}`;
    } catch (e) { setStatus(e.message); }
  }, 150);
}

function firstLine() {
  const m = current();
  const text = $('input').value;
  return m && m.attend.task === 'embeddings' ? (text.split('\n').find(l => l.trim()) || '') : text;
}

function escapeHtml(s) { return s.replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c])); }

async function run() {
  const m = current();
  if (!m) return;
  setStatus('');
  $('run').disabled = true;
  try {
    if (m.attend.task === 'generation') await generate(m);
    else if (m.attend.task === 'translation') await translate(m);
    else await embed(m);
  } catch (e) {
    setStatus(e.message);
  } finally {
    $('run').disabled = false;
  }
}

async function generate(m) {
  const prompt = $('input').value;
  $('output').textContent = prompt;
  const r = await fetch('/v1/completions', {
    method: 'POST', headers: headers(),
    body: JSON.stringify({ model: m.id, prompt, max_tokens: +$('max-tokens').value, temperature: +$('temperature').value, stream: true, truncate: true }),
  });
  if (!r.ok) { const data = await r.json(); throw new Error(data.error.message); }
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 2);
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const chunk = JSON.parse(line.slice(6));
      if (chunk.choices.length) $('output').textContent += chunk.choices[0].text;
    }
  }
  await attention(m, $('output').textContent, true);
}

async function translate(m) {
  const data = await post('/v1/translations', { model: m.id, input: $('input').value.trim(), max_tokens: Math.min(+$('max-tokens').value, m.attend.max_len - 1) });
  $('output').textContent = data.data[0].text;
  await attention(m, $('input').value.trim(), false);
}

async function embed(m) {
  const lines = $('input').value.split('\n').map(l => l.trim()).filter(l => l);
  const data = await post('/v1/embeddings', { model: m.id, input: lines });
  const vectors = data.data.map(d => d.embedding);
  const classes = await post('/v1/classifications', { model: m.id, input: lines });
  $('output').textContent = lines.map((l, i) => `${classes.data[i].label}\t${l}`).join('\n');
  const cos = (a, b) => { let d = 0, na = 0, nb = 0; for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; } return d / Math.sqrt(na * nb); };
  let html = '<tr><th></th>' + lines.map((l, j) => `<th title="${escapeHtml(l)}">${j + 1}</th>`).join('') + '</tr>';
  lines.forEach((l, i) => {
    html += `<tr><th title="${escapeHtml(l)}">${i + 1}. ${escapeHtml(l)}</th>` + vectors.map((v, j) => {
      const c = cos(vectors[i], v);
      return `<td class="cos" style="background:rgba(40,90,200,${Math.max(0, c).toFixed(3)});color:${c > 0.6 ? '#fff' : '#000'}">${c.toFixed(3)}</td>`;
    }).join('') + '</tr>';
  });
  $('similarity').innerHTML = html;
  $('similarity-section').hidden = false;
  await attention(m, lines[0], true);
}

async function attention(m, text, truncate) {
  if (!text) return;
  const data = await post('/v1/attention', { model: m.id, input: text, truncate });
  views = data.views;
  $('kind').innerHTML = views.map((v, i) => `<option value="${i}">${v.kind}</option>`).join('');
  kindChanged();
  $('attention-section').hidden = false;
}

function kindChanged() {
  const v = views[+$('kind').value];
  $('layer').innerHTML = v.weights.map((_, i) => `<option value="${i}">${i}</option>`).join('');
  $('layer').value = String(v.weights.length - 1);
  $('head').innerHTML = '<option value="avg">average</option>' + v.weights[0].map((_, i) => `<option value="${i}">${i}</option>`).join('');
  draw();
}

function draw() {
  const v = views[+$('kind').value];
  const layer = v.weights[+$('layer').value];
  const head = $('head').value;
  const rows = v.rows.length, cols = v.columns.length;
  const w = head === 'avg' ? layer[0].map((_, i) => layer.reduce((s, h) => s + h[i], 0) / layer.length) : layer[+head];
  const cell = 22, left = 9 + 7 * Math.max(...v.rows.map(r => r.length), 1), top = 9 + 7 * Math.max(...v.columns.map(c => c.length), 1);
  const svg = $('heatmap');
  svg.setAttribute('width', left + cols * cell + 10);
  svg.setAttribute('height', top + rows * cell + 10);
  let out = '';
  v.columns.forEach((c, j) => {
    const x = left + j * cell + cell / 2 + 4;
    out += `<text x="${x}" y="${top - 6}" transform="rotate(-90 ${x} ${top - 6})">${escapeHtml(c)}</text>`;
  });
  v.rows.forEach((r, i) => { out += `<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${escapeHtml(r)}</text>`; });
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      const value = w[i * cols + j];
      const shade = Math.round(255 * (1 - Math.min(1, value)));
      out += `<rect class="cell" x="${left + j * cell}" y="${top + i * cell}" width="${cell - 1}" height="${cell - 1}" fill="rgb(${shade},${shade},255)"><title>${escapeHtml(v.rows[i])} → ${escapeHtml(v.columns[j])}: ${value.toFixed(3)}</title></rect>`;
    }
  svg.innerHTML = out;
}

$('model').addEventListener('change', modelChanged);
$('input').addEventListener('input', tokenize);
$('run').addEventListener('click', run);
$('kind').addEventListener('change', kindChanged);
$('layer').addEventListener('change', draw);
$('head').addEventListener('change', draw);
$('key').addEventListener('change', loadModels);
loadModels();
