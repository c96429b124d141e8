// Markdown of a run's results.json: a table per scenario, for docs/performance.md.
import { fmt, markdownTable, max, min, spread } from './stats.mjs';

const verdictText = (v) => (v ? `**${v}**` : '—');

function abSection(r, cfg) {
  const A = r.A;
  const B = r.B;
  const all = [A, B, r.C].filter(Boolean);
  const row = (title, f) => [title, ...all.map(f)];
  const rows = [
    ['', ...all.map((s) => s.label)],
    row('requests/s, median (min–max)', (s) => spread(s.rps)),
    row('latency p50 / p99 ms (medians)', (s) => `${fmt(s.p50, 1)} / ${fmt(s.p99, 1)}`),
    row('server CPU ms per request', (s) => fmt(s.cpuPerReq, 3)),
    row('server CPU, cores busy', (s) => fmt(s.cores, 2)),
    row('MariaDB CPU ms per request', (s) => fmt(s.dbCpuPerReq, 3)),
    row('peak RSS MB', (s) => fmt(s.peakMb, 0)),
    row('failed responses', (s) => `${s.non2xx} of ${s.total}`),
  ];
  return [
    `### ${r.title}`,
    '',
    `A = ${A.label}, B = ${B.label}; ${r.ratios.length} rounds × ${r.seconds ?? cfg.seconds} s each. Ratio A/B per round: ${r.ratios.map((x) => fmt(x, 2)).join(', ')}; ` +
      `median **${fmt(r.ratio, 2)}** (${fmt(min(r.ratios), 2)}–${fmt(max(r.ratios), 2)}). ` +
      `Bar: ${r.bar ? `${r.bar.text} → ${verdictText(r.verdict)}` : 'none (information)'}.`,
    ...(r.note ? ['', `Note: ${r.note}.`] : []),
    ...(r.reference
      ? [
          '',
          `C = ${r.C.label}, measured in the same rounds (reference, not judged). ` +
            `C/B per round: ${r.reference.cb.map((x) => fmt(x, 2)).join(', ')}; median **${fmt(r.reference.cbRatio, 2)}**. ` +
            `A/C per round: ${r.reference.ac.map((x) => fmt(x, 2)).join(', ')}; median **${fmt(r.reference.acRatio, 2)}**.` +
            (r.reference.floorMeets !== undefined ? ` C reaches the bar in ${r.reference.floorMeets} of ${r.reference.cb.length} rounds.` : ''),
        ]
      : []),
    ...(r.signingCeiling
      ? [
          '',
          `Against RS256 signing alone (${Math.round(r.signingCeiling.ceiling)}/s on this machine): ` +
            `${A.label} ${fmt(100 * r.signingCeiling.tessera, 0)}%, the bar needs ${fmt(100 * r.signingCeiling.needed, 0)}%.`,
        ]
      : []),
    '',
    markdownTable(rows),
    '',
  ].join('\n');
}

function mixedSection(m) {
  const rows = [
    ['steady traffic', 'baseline p50 / p99 ms', 'under the flood p50 / p99 ms', 'p99 ratio', 'bar', 'result'],
    [
      `client_credentials, ${m.ccRate} req/s to Tessera`,
      `${fmt(m.baseline.cc.p50, 1)} / ${fmt(m.baseline.cc.p99, 1)}`,
      `${fmt(m.flood.cc.p50, 1)} / ${fmt(m.flood.cc.p99, 1)}`,
      fmt(m.ccRatio, 2),
      m.bar.text,
      verdictText(m.verdicts.cc),
    ],
    [
      `GET /me, ${m.meRate} req/s to the sample service`,
      `${fmt(m.baseline.me.p50, 1)} / ${fmt(m.baseline.me.p99, 1)}`,
      `${fmt(m.flood.me.p50, 1)} / ${fmt(m.flood.me.p99, 1)}`,
      fmt(m.meRatio, 2),
      m.bar.text,
      verdictText(m.verdicts.me),
    ],
  ];
  return [
    '### Mixed run: a password-grant flood under steady traffic',
    '',
    `Flood: ${m.floodConnections} connections of password grants (${spread(m.floodRps, 1)} req/s completed). ` +
      'Steady traffic is open loop at a fixed rate; latency counts from the scheduled send time. ' +
      'Medians over the rounds of each kind.',
    '',
    markdownTable(rows),
    '',
  ].join('\n');
}

/** The whole Markdown: per-scenario tables, the mixed run, memory. */
export function renderMarkdown({ stamp, machine, cfg, primitives, results }) {
  const out = [
    `Run ${stamp}: ${cfg.rounds} rounds × ${cfg.seconds} s per side and scenario, ${cfg.connections} connections, pipelining 1; ` +
      `${machine.nproc} CPUs (${machine.cpuModel}), node ${machine.node}.`,
    '',
  ];
  if (primitives)
    out.push(
      `Measured in the same run (one core, synchronous): RS256 sign ${fmt(primitives.rs256SignMs, 3)} ms, ` +
        `ES256 sign ${fmt(primitives.es256SignMs, 3)} ms, RS256 verify ${fmt(primitives.rs256VerifyMs, 3)} ms, ` +
        `bcrypt compare at cost 11 ${fmt(primitives.bcrypt11CompareMs, 1)} ms.` +
        (primitives.rs256PoolSignsPerSecond
          ? ` Separately, RS256 signatures alone on libuv's pool (${cfg.connections} in flight, no HTTP): ` +
            `${Math.round(primitives.rs256PoolSignsPerSecond)}/s at ${fmt(primitives.rs256PoolSignCpuMs, 3)} ms of CPU each, ` +
            `${fmt((primitives.rs256PoolSignsPerSecond * primitives.rs256PoolSignCpuMs) / 1000, 2)} cores busy, at the start of the run ` +
            '(the host drifts: the RS256 floor, measured in the same rounds as the scenario, is the reference of its moment).'
          : ''),
      '',
    );
  for (const r of results) out.push(r.kind === 'mixed' ? mixedSection(r) : abSection(r, cfg));
  const m = results.find((x) => x.kind === 'mixed');
  const peaks = [
    ...results.filter((x) => x.kind === 'ab' && x.A.label === 'Tessera').map((x) => x.A.peakMb),
    ...(m ? [m.tesseraPeakMb] : []),
  ];
  const peak = max(peaks);
  out.push(
    '### Memory',
    '',
    markdownTable([
      ['', 'measured', 'bar', 'result'],
      ['identity server peak RSS under any scenario', `${fmt(peak, 0)} MB`, '≤ 300 MB', verdictText(peak <= 300 ? 'PASS' : 'MISS')],
    ]),
    '',
  );
  return out.join('\n');
}
