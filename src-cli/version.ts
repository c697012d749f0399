/** The CLI's version (package.json's; version.test.ts keeps them equal): said by --version and in hello. */
export const CLI_VERSION = '0.1.0';
