// The trivial task for bench/pool.ts, the same function for piscina and for our pool.
module.exports = (x) => x;
module.exports.noop = (x) => x;
