// Copyright (c) 2026, moat.nodered developers
// GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
// SPDX-License-Identifier: GPL-3.0-or-later

// Node.js side of the unit tests. Commands:
//   compare          read JSON lines {"password", "hash"} on stdin and write {"same": bool}
//                    lines, checked with bcryptjs from tests/unit/js/node_modules
//   dump FILE        require() a settings.js and print JSON.stringify of its exports
//   call FILE        read a JSON list of calls on stdin, run each generated connection check
//                    in FILE on fake request headers, and print a JSON list of outcomes
//   admin FILE       read a JSON list of {"user", "status"} on stdin; for each, run FILE's
//                    httpAdminMiddleware on a fake request with that req.user, then send the
//                    status as a route would, and print a JSON list of {"next", "sent"}
// A generated snippet resolves bcryptjs from require.main.path, the directory of this
// script, just as it resolves it from Node-RED's directory in production.
"use strict";

const path = require("path");
const readline = require("readline");

function compareLines() {
    const bcrypt = require("bcryptjs");
    const lines = readline.createInterface({ input: process.stdin });
    lines.on("line", (line) => {
        let reply;
        try {
            const request = JSON.parse(line);
            reply = { same: bcrypt.compareSync(request.password, request.hash) };
        } catch (error) {
            reply = { error: String(error) };
        }
        process.stdout.write(JSON.stringify(reply) + "\n");
    });
}

function readStdin() {
    return new Promise((resolve) => {
        const chunks = [];
        process.stdin.on("data", (chunk) => chunks.push(chunk));
        process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
}

function lookUp(settings, keys) {
    let value = settings;
    for (const key of keys) {
        value = value[key];
    }
    return value;
}

// Calls one connection check and resolves with what it reported, or with "timeout" when it
// never calls back. A check that calls back twice is reported too.
function runCheck(check, kind, headers) {
    return new Promise((resolve) => {
        const outcome = { calls: 0 };
        const timer = setTimeout(() => resolve(Object.assign(outcome, { result: "timeout" })), 10000);
        function report(fields) {
            outcome.calls += 1;
            if (outcome.calls === 1) {
                Object.assign(outcome, fields);
                // Wait a moment, so that a second callback would still be counted.
                setTimeout(() => {
                    clearTimeout(timer);
                    resolve(outcome);
                }, 20);
            }
        }
        if (kind === "websocket") {
            const info = { origin: headers ? headers.origin : undefined, secure: true, req: { headers: headers } };
            check(info, (accepted, status, message, responseHeaders) => {
                report({ accepted: accepted, status: status === undefined ? null : status, message: message === undefined ? null : message, headers: responseHeaders || null });
            });
        } else if (kind === "socketio") {
            const socket = { request: { headers: headers }, handshake: { headers: headers } };
            check(socket, (error) => {
                report({
                    accepted: error === undefined,
                    status: error && error.data ? error.data.status : null,
                    message: error ? error.message : null,
                    headers: null,
                });
            });
        } else {
            throw new Error("unknown kind " + kind);
        }
    });
}

async function callChecks(file) {
    const settings = require(path.resolve(file));
    const calls = JSON.parse(await readStdin());
    const outcomes = [];
    for (const call of calls) {
        outcomes.push(await runCheck(lookUp(settings, call.setting), call.kind, call.headers));
    }
    process.stdout.write(JSON.stringify(outcomes) + "\n");
}

// An Express response as far as the middleware and a route use it: status() sets
// statusCode and returns the response, as Express does.
function fakeResponse() {
    return {
        statusCode: 200,
        status(code) {
            this.statusCode = code;
            return this;
        },
    };
}

async function callAdminMiddleware(file) {
    const settings = require(path.resolve(file));
    const calls = JSON.parse(await readStdin());
    const outcomes = calls.map((call) => {
        const req = call.user === null ? {} : { user: call.user };
        const res = fakeResponse();
        let nextCalls = 0;
        settings.httpAdminMiddleware(req, res, () => {
            nextCalls += 1;
        });
        res.status(call.status);
        return { next: nextCalls, sent: res.statusCode };
    });
    process.stdout.write(JSON.stringify(outcomes) + "\n");
}

function main() {
    const command = process.argv[2];
    if (command === "compare") {
        compareLines();
    } else if (command === "dump") {
        process.stdout.write(JSON.stringify(require(path.resolve(process.argv[3]))) + "\n");
    } else if (command === "call") {
        callChecks(process.argv[3]).catch((error) => {
            console.error(error.stack);
            process.exit(1);
        });
    } else if (command === "admin") {
        callAdminMiddleware(process.argv[3]).catch((error) => {
            console.error(error.stack);
            process.exit(1);
        });
    } else {
        console.error("usage: node harness.js compare | dump FILE | call FILE | admin FILE");
        process.exit(2);
    }
}

main();
