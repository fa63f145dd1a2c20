// Mocha's settings. Test files named on the command line (`npx mocha test/x.test.ts`) run
// alone; with none, the whole suite runs. (A `spec` in the config would be added to the
// files named, not replaced by them.)
const named = process.argv.slice(2).some((arg) => /\.test\.ts$/.test(arg));

module.exports = {
  require: ["tsx/cjs"],
  extension: ["ts"],
  timeout: 20000,
  recursive: true,
  "forbid-only": true,
  "forbid-pending": true,
  ...(named ? {} : { spec: ["test/**/*.test.ts"] }),
};
