// Entry of every lab process (bundled as dist/process-worker.js): the runtime's process body,
// with the labs' programs known by name.
import { serveProcess } from '../../runtime/processWorker';
import { PROCESS_PROGRAMS } from '../processPrograms';

serveProcess(PROCESS_PROGRAMS);
