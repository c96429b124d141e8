/**
 * Writes a generated credential to standard output, outside the structured
 * log (whose sinks may be shipped and retained). It is generated and shown
 * only on the start that creates it; only its hash is stored.
 */
export function printOnce(headline: string, secret: string): void {
  process.stdout.write(
    `\n${'='.repeat(72)}\n${headline}\n\n    ${secret}\n\n${'='.repeat(72)}\n\n`,
  );
}
