// Node 20 defines Symbol.dispose as Symbol.for('nodejs.dispose'); some embedders' contexts (jest's
// vm sandbox, older runtimes) lack it. Define it the same way so `using` works everywhere.
const symbols = Symbol as unknown as { dispose?: symbol; asyncDispose?: symbol }
if (!symbols.dispose) Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('nodejs.dispose') })
if (!symbols.asyncDispose) Object.defineProperty(Symbol, 'asyncDispose', { value: Symbol.for('nodejs.asyncDispose') })

export {}
