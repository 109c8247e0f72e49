// A user's task module written as an ES module.
export const triple = (x) => x * 3;
