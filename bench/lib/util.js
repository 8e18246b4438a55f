'use strict';

// Small helpers of the benchmark: statistics, formatting, Markdown tables, /proc CPU time.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const min = (values) => Math.min(...values);
const max = (values) => Math.max(...values);

/** 1234.5 → "1,235 ms"; small values keep a decimal. */
function ms(value) {
	if (!Number.isFinite(value)) return 'n/a';
	if (Math.abs(value) >= 100) return `${Math.round(value).toLocaleString('en-US')} ms`;
	return `${value.toFixed(1)} ms`;
}

function us(value) {
	if (!Number.isFinite(value)) return 'n/a';
	return `${Math.round(value).toLocaleString('en-US')} µs`;
}

function bytes(value) {
	if (!Number.isFinite(value)) return 'n/a';
	if (Math.abs(value) >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MiB`;
	if (Math.abs(value) >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
	return `${Math.round(value)} B`;
}

function ratio(value) {
	return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

const int = (value) => Math.round(value).toLocaleString('en-US');

/** A Markdown table: `columns` are header strings, `rows` arrays of cells. */
function table(columns, rows) {
	const escape = (cell) => String(cell ?? '').replace(/\|/g, '\\|');
	const lines = [`| ${columns.map(escape).join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`];
	for (const row of rows) lines.push(`| ${row.map(escape).join(' | ')} |`);
	return lines.join('\n');
}

let clockTicks;
/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
function processCpuMs(pid) {
	if (clockTicks === undefined) {
		try {
			clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
		} catch {
			clockTicks = 100;
		}
	}
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	// Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/** CPU time of this process (the fake Tilled and the trigger client), in ms. */
function ownCpuMs() {
	const usage = process.cpuUsage();
	return (usage.user + usage.system) / 1000;
}

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

const sleep = (msValue) => new Promise((resolve) => setTimeout(resolve, msValue));

module.exports = { median, min, max, ms, us, bytes, ratio, int, table, processCpuMs, ownCpuMs, log, sleep };
