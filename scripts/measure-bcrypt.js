// Time the bcrypt comparison that a Node-RED login makes, at several costs.
//
//   node measure-bcrypt.js                 measure on this machine; print one
//                                          JSON line per implementation and cost
//   node measure-bcrypt.js --table FILE    print the JSON lines in FILE (from
//                                          several machines) as a table with the
//                                          ratio of each machine to amd64
//
// Node-RED 4.1 compares editor passwords with @node-rs/bcrypt when that
// optional native module loads, and with bcryptjs (pure JavaScript) otherwise;
// the WebSocket and dashboard connection checks in the generated settings.js
// always use bcryptjs. Both are measured when both load.
//
// Each line carries the fastest and the median of the repeated comparisons.
// The table shows the fastest, because other load on the machine only ever
// adds time.
//
// Environment: MOAT_BCRYPT_COSTS (default "8,9,10,11,12"), MOAT_BCRYPT_REPEATS
// (comparisons per cost, default 5), MOAT_BCRYPT_LABEL (the machine's name in
// the table; default the Node.js architecture).
"use strict";

const fs = require("fs");

const PASSWORD = "correct horse battery staple";

function loadImplementations() {
    const implementations = [];
    const skipped = [];
    for (const name of ["bcryptjs", "@node-rs/bcrypt"]) {
        try {
            implementations.push({ name, module: require(name) });
        } catch (error) {
            skipped.push({ name, error: error.message.split("\n")[0] });
        }
    }
    return { implementations, skipped };
}

function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

async function measure() {
    const costs = (process.env.MOAT_BCRYPT_COSTS || "8,9,10,11,12").split(",").map(Number);
    const repeats = Number(process.env.MOAT_BCRYPT_REPEATS || 5);
    const label = process.env.MOAT_BCRYPT_LABEL || process.arch;
    const { implementations, skipped } = loadImplementations();
    const bcryptjs = implementations.find((entry) => entry.name === "bcryptjs");
    if (!bcryptjs) {
        throw new Error("bcryptjs not found; install it into node_modules next to this script");
    }
    for (const entry of skipped) {
        console.log(JSON.stringify({ machine: label, implementation: entry.name, skipped: entry.error }));
    }
    for (const cost of costs) {
        // One hash for both implementations, so both check the same input.
        const hash = bcryptjs.module.hashSync(PASSWORD, cost);
        for (const { name, module } of implementations) {
            const times = [];
            for (let i = 0; i < repeats; i++) {
                const started = process.hrtime.bigint();
                const matched = await module.compare(PASSWORD, hash);
                times.push(Number(process.hrtime.bigint() - started) / 1e6);
                if (matched !== true) {
                    throw new Error(`${name} rejected the right password at cost ${cost}`);
                }
            }
            console.log(JSON.stringify({
                machine: label,
                node: process.version,
                implementation: name,
                cost,
                milliseconds: Math.round(Math.min(...times) * 10) / 10,
                median_milliseconds: Math.round(median(times) * 10) / 10,
            }));
        }
    }
}

function printTable(file) {
    const rows = fs.readFileSync(file, "utf8").split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line));
    const machines = [...new Set(rows.map((row) => row.machine))];
    const reference = machines.includes("amd64") ? "amd64" : machines[0];
    const header = ["implementation", "cost", ...machines.map((machine) =>
        machine === reference ? `${machine} ms` : `${machine} ms (x ${reference})`)];
    const lines = [header];
    const measured = rows.filter((row) => row.milliseconds !== undefined);
    const keys = [...new Set(measured.map((row) => `${row.implementation}\t${row.cost}`))];
    for (const key of keys) {
        const [implementation, cost] = key.split("\t");
        const find = (machine) => measured.find((row) =>
            row.machine === machine && row.implementation === implementation && String(row.cost) === cost);
        const base = find(reference);
        lines.push([implementation, cost, ...machines.map((machine) => {
            const row = find(machine);
            if (!row) {
                return "-";
            }
            if (machine === reference || !base) {
                return row.milliseconds.toFixed(1);
            }
            return `${row.milliseconds.toFixed(1)} (${(row.milliseconds / base.milliseconds).toFixed(1)})`;
        })]);
    }
    const widths = header.map((_, column) => Math.max(...lines.map((line) => line[column].length)));
    for (const line of lines) {
        console.log(line.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd());
    }
    for (const row of rows.filter((entry) => entry.skipped)) {
        console.log(`${row.machine}: ${row.implementation} not measured: ${row.skipped}`);
    }
}

if (process.argv[2] === "--table") {
    printTable(process.argv[3]);
} else {
    measure().catch((error) => {
        console.error(`measure-bcrypt: ${error.message}`);
        process.exit(1);
    });
}
