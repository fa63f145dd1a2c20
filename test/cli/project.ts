// The CLI tests' project machinery lives in scripts/, where the engine benchmark uses it too.
export * from "../../scripts/cli-project";
