// A user's own task module, loaded by path in each worker.
let initialised = 'no';
exports.init = (value) => {
  initialised = value;
};
exports.whoAmI = () => `${initialised}:${process.pid}:${require('node:worker_threads').threadId}`;
exports.badInit = () => {
  throw new Error('initializer failed on purpose');
};
exports.sleepMs = (ms) => new Promise((r) => setTimeout(() => r(ms), ms));
