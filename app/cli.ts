#!/usr/bin/env node
import { Command, Option } from 'commander';
import { GatewayError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { exportCommand, importCommand, validateCommand } from './commands/config-io.js';
import { passwdCommand } from './commands/passwd.js';

/** Prints an error as the user needs it: the message, then every `path: message` line; exit 1. */
function fail(err: unknown): never {
  if (err instanceof GatewayError) {
    process.stderr.write(`error: ${err.message}\n`);
    for (const line of err.details) process.stderr.write(`  ${line}\n`);
  } else {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
}

function run<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      fail(err);
    }
  };
}

const dataOption = () => new Option('--data <dir>', 'data directory (default: $TAGWIRE_DATA_DIR or ./data)');

const program = new Command('tagwire')
  .description('Industrial protocol gateway: Modbus and OPC UA devices published as a unified namespace over MQTT')
  .version(VERSION, '-V, --version');

program
  .command('start')
  .description('run the gateway')
  .addOption(dataOption())
  .option('--config <file>', 'replace the stored configuration with FILE before starting (config as code)')
  .option('--http-port <n>', 'HTTP port for the web UI and API (default: $TAGWIRE_HTTP_PORT or gateway.http.port)')
  .option('--no-demo', 'do not seed the demo on a first start')
  // Loaded on demand: the runtime pulls in fastify, aedes and mqtt, which other commands do not need.
  .action(run(async (opts) => (await import('./commands/start.js')).startCommand(opts)));

program
  .command('import')
  .description('validate FILE and replace the stored configuration with it, atomically')
  .argument('<file>', 'YAML or JSON configuration')
  .addOption(dataOption())
  .action(run(importCommand));

program
  .command('export')
  .description('print the stored configuration')
  .addOption(dataOption())
  .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
  .action(run(exportCommand));

program
  .command('validate')
  .description('check FILE without touching any store')
  .argument('<file>', 'YAML or JSON configuration')
  .action(run(validateCommand));

program
  .command('passwd')
  .description("set a user's password, read from standard input (creates the user if needed)")
  .argument('<user>')
  .addOption(dataOption())
  .action(run(passwdCommand));

program
  .command('backup')
  .description('write a consistent snapshot of configuration, users and certificates to FILE')
  .argument('<file>', 'backup file to write')
  .addOption(dataOption())
  .option('--with-spool', 'include the messages buffered for the brokers')
  .action(run(async (file: string, opts) => (await import('./commands/backup.js')).backupCommand(file, opts)));

program
  .command('restore')
  .description('restore a backup onto an empty data directory')
  .argument('<file>', 'backup file made by "tagwire backup"')
  .addOption(dataOption())
  .action(run(async (file: string, opts) => (await import('./commands/restore.js')).restoreCommand(file, opts)));

program
  .command('simulate')
  .description('run a simulated PLC with changing and writable values')
  .argument('<kind>', 'modbus, opcua or s7')
  .option('--port <n>', 'TCP port (default 5020 for modbus, 4840 for opcua, 1102 for s7)')
  .addOption(dataOption())
  .option('--host <address>', 'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)')
  .option('--rtu <device>', 'serve Modbus RTU on a serial port (e.g. /dev/ttyUSB0) instead of TCP')
  .option('--baud <n>', 'with --rtu: baud rate (default 9600)')
  .option('--parity <parity>', 'with --rtu: none, even or odd (default none); 8 data bits, 1 stop bit')
  .action(run(async (kind: string, opts) => (await import('./commands/simulate.js')).simulateCommand(kind, opts)));

program.parseAsync(process.argv).catch(fail);
