import { TextTokenizer } from '../src/tokenizer';
import { buildTinyTokenizer } from '../testing/tinyTokenizer';
const t = buildTinyTokenizer();
const tk = TextTokenizer.fromJson(t.tokenizer);
try { console.log(JSON.stringify(tk.decode([40, 500, 41, 3000]))); } catch (e) { console.log('err', (e as Error).message); }
