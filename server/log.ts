/** Where the server reports connection-level events (PostgreSQL's server log). */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export const consoleLogger: Logger = {
  info: (message) => console.log(message),
  warn: (message) => console.error(message),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {} };
