// Where commands write: injectable so tests can capture output without a terminal.

export interface Io {
  out(text: string): void;
  warn(line: string): void;
}

export const processIo: Io = {
  out: (text) => {
    process.stdout.write(text);
  },
  warn: (line) => {
    process.stderr.write(`${line}\n`);
  },
};
