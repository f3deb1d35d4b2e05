#!/usr/bin/env node
// Entry of the `servicebench` CLI (cli/main.ts), which runs from its TypeScript source. tsx's
// loader is registered in this process instead of starting a second one (as `tsx file.ts` does):
// that halves the start-up time every command pays.
//
// On Linux the process first starts itself once more with ALLOCATOR_SETTINGS in its environment,
// which glibc's allocator reads only when a process starts. By default a freed block of at least
// 128 KiB that was mapped on its own raises that threshold to its size, so the files, pages and
// buffers of the ingest worker threads then come from per-thread arenas that keep them resident
// after the threads end: after the scale-10 demo's ingest the process held 64 MiB arenas fully
// resident, and the metric refresh that followed reached 992-1,084 MiB of peak RSS (six runs). With
// the threshold fixed at 256 KiB such blocks are mapped on their own and returned when freed: the
// same demo peaked at 932-970 MiB (three runs), for the same CPU. The first process only waits
// (43 MiB) and passes signals on; starting it costs every command about 0.06 s (`query "SELECT 1"`
// on the scale-10 lake: 0.61 s against 0.55 s, medians of five).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ALLOCATOR_SETTINGS = { MALLOC_MMAP_THRESHOLD_: '262144' };

if (process.platform === 'linux' && process.env.MALLOC_MMAP_THRESHOLD_ === undefined) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, ...ALLOCATOR_SETTINGS },
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
