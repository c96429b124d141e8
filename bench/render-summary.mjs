// Renders a run's results.json as Markdown (a table per scenario), the form
// docs/performance.md uses:  node bench/render-summary.mjs bench/results/run-*/results.json
import { readFileSync } from 'node:fs';
import { renderMarkdown } from './lib/report.mjs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/render-summary.mjs <results.json>\n');
  process.exit(2);
}
process.stdout.write(renderMarkdown(JSON.parse(readFileSync(file, 'utf8'))));
