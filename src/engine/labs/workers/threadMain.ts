// Entry of every lab thread (bundled as dist/thread-worker.js): the runtime's thread body, with
// the labs' programs known by name.
import { serveThread } from '../../runtime/threadWorker';
import { THREAD_PROGRAMS } from '../threadPrograms';

serveThread(THREAD_PROGRAMS);
