/**
 * The log data path: a run's stdout and stderr, from its processes to its file and on to every viewer.
 *
 *   task's stdout + stderr                                                     runner process
 *     │ one Unix socket for both, connected ahead (output-socket.ts: OutputSockets)
 *     ▼
 *   pumpToLog (write.ts): the runner's stages (progress lines, secrets), then LogCap
 *     ▼
 *   LogFile (write.ts): reused buffers, one write in flight
 *     ▼
 *   LOGS_DIR/{task_id}_{run_id}.log (paths.ts)
 *     │                                                                        web process
 *     ├─► GET /api/logs/:name: a byte range of it (read.ts: logStream)
 *     ├─► GET /runs/:id: the page shows its last part, from a line start (read.ts: tailStart)
 *     └─► GET /api/runs/:id/stream:
 *           LogTails (tail.ts): one reader per running log; each piece read, and encoded (sse.ts), once
 *             ▼
 *           LogViewer (viewer.ts): one per client, paced, skipping ahead when it falls behind; reads
 *           itself what is older than the tail, and the rest of an ended run's log
 *
 * Both processes use this module, so it imports nothing of theirs (src/runner, src/routes,
 * src/services, src/views, src/web); the runner's own stages plug in as `OutputStage`s. It keeps no
 * state of its own: a runner makes one `OutputSockets` and one `LogFiles` in its main and passes them
 * down in its context; the web makes one `LogTails` in its main and passes it down in its deps.
 */
export { logName, logPath, parseLogName } from './paths';
export { logSize, logStream, readLogPiece, tailStart } from './read';
export { OutputSockets, type OutputChannel, type OutputSink } from './output-socket';
export { LogCap, LogFiles, pumpToLog, writeLineAndClose, type LogFile, type LogPump, type OutputStage } from './write';
export { LogTails } from './tail';
export { LogViewer } from './viewer';
export { logEvent } from './sse';
