// The one format of a usage error (src/cli/usage.ts): what was wrong, then where the help is.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { ProjectorError } from '../../../src/core/errors.ts';
import { commandPath, helpPointer, isFlagError, usageErrorLine } from '../../../src/cli/usage.ts';

describe('usage errors (cli/usage.ts)', () => {
  it('names the command path as typed, parents first', () => {
    const root = new Command('projector');
    const show = root.command('vault').command('secret').command('show');
    assert.equal(commandPath(show), 'projector vault secret show');
    assert.equal(helpPointer(commandPath(show)), 'see `npx projector vault secret show --help`');
  });

  it("turns commander's message (prefix, suggestion line, full stop) into one line ending with the pointer", () => {
    assert.equal(usageErrorLine("error: unknown option '--outpt'\n(Did you mean --output?)\n", 'projector validate'), "projector: error: unknown option '--outpt' (Did you mean --output?); see `npx projector validate --help`");
    assert.equal(usageErrorLine("error: option '-o, --output <format>' argument 'x' is invalid. Allowed choices are text, json.\n", 'projector check'), "projector: error: option '-o, --output <format>' argument 'x' is invalid. Allowed choices are text, json; see `npx projector check --help`");
    assert.equal(usageErrorLine('--port must be a port number (0-65535)', 'projector dev', (p) => `<${p}>`), '<projector: error:> --port must be a port number (0-65535); see `npx projector dev --help`');
  });

  it('tells a refused flag value from other InvalidSpec errors by the flag it carries', () => {
    assert.ok(isFlagError(new ProjectorError('InvalidSpec', '--port must be a port number (0-65535)', { flag: '--port' })));
    assert.ok(!isFlagError(new ProjectorError('InvalidSpec', 'spec.data[0]: bad')));
    assert.ok(!isFlagError(new Error('--port')));
  });
});
