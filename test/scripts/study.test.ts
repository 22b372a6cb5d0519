import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../lib/db";
import { runJobId, runQueue } from "../../lib/queue";
import { createRun } from "../../lib/runs";
import { childPids, isAlive } from "../helpers/process-table";
import { createTestStack, type TestStack } from "../helpers/test-stack";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** A short job lock, so that runs left by an interrupted study are resumed within seconds. */
const LOCK_DURATION_MS = 2000;
/** Two micro strategies with one seed: each run trains for a few seconds. */
const MICRO_STUDY = ["--preset", "micro", "--data", "micro", "--seeds", "1", "--strategies", "uniform,clean-only"];
/** Enough micro epochs that the second run is still training when the test interrupts the study. */
const INTERRUPTED_EPOCHS = 40;
const POLL_MS = 100;

interface StudyResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface StudyProcess {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  finished: Promise<StudyResult>;
}

let stack: TestStack;
const studies: StudyProcess[] = [];

/**
 * Starts scripts/study.ts in node with the tsx loader. The tsx command is not used because tsx
 * 4.23 SIGKILLs its node process when that process does not confirm a relayed signal within 30 ms,
 * so on a loaded machine the SIGINT would not reach the study's own handler.
 */
function startStudy(args: string[]): StudyProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/study.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, WINNOW_LOCK_DURATION_MS: String(LOCK_DURATION_MS) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout?.on("data", (chunk: Buffer) => (output.stdout += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output.stderr += chunk.toString("utf8")));
  const finished = new Promise<StudyResult>((resolve) => child.once("exit", (code) => resolve({ code, ...output })));
  const study = { child, output, finished };
  studies.push(study);
  return study;
}

function runStudy(args: string[]): Promise<StudyResult> {
  return startStudy(args).finished;
}

async function waitFor<T>(description: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const output = studies.map((study) => study.output.stderr.split("\n").slice(-20).join("\n")).join("\n");
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}; last study output:\n${output}`);
}

/** Returns the ids of the processes below `pid`: its children, their children and so on. */
function descendantPids(pid: number): number[] {
  return childPids(pid).flatMap((child) => [child, ...descendantPids(child)]);
}

/** Reads the runs of the sweep named `name`, oldest first. */
async function sweepRuns(name: string) {
  return prisma().run.findMany({
    where: { sweep: { name } },
    select: { id: true, strategy: true, seed: true, status: true, error: true, finishedAt: true },
    orderBy: { id: "asc" },
  });
}

beforeAll(async () => {
  stack = await createTestStack("study");
});

afterAll(async () => {
  for (const study of studies) {
    if (study.child.exitCode === null && study.child.signalCode === null) study.child.kill("SIGKILL");
  }
  await stack?.teardown();
});

describe("npm run study", () => {
  describe("when two strategies train one seed", () => {
    const name = "two-strategies";
    let outFile: string;
    let first: StudyResult;
    let firstRuns: Awaited<ReturnType<typeof sweepRuns>>;

    beforeAll(async () => {
      outFile = path.join(stack.dataDir, "two-strategies.md");
      first = await runStudy([...MICRO_STUDY, "--workers", "2", "--name", name, "--out", outFile]);
      firstRuns = await sweepRuns(name);
    }, 120_000);

    it("exits with 0", () => {
      expect(first.stderr).not.toContain("study failed");
      expect(first.code).toBe(0);
    });

    it("completes one run per strategy", () => {
      expect(firstRuns.map((run) => [run.strategy, run.seed, run.status])).toEqual([
        ["uniform", 1, "completed"],
        ["clean-only", 1, "completed"],
      ]);
    });

    it("saves a table with both strategies and p-values", async () => {
      const table = await readFile(outFile, "utf8");

      expect(table).toContain("## Against clean-only");
      expect(table).toContain("## Against uniform");
      expect(table).toMatch(/^\| uniform \| 1 \(1\) \|/m);
      expect(table).toMatch(/^\| clean-only \| 1 \(1\) \|/m);
      expect(table).toContain("p (BLEU)");
      expect(table).toMatch(/\| \d\.\d{4} \|/);
    });

    it("prints the table to stdout", () => {
      expect(first.stdout).toContain("Against clean-only:");
      expect(first.stdout).toMatch(/^uniform\s+1 \(1\)/m);
    });

    it("reports progress on stderr", () => {
      expect(first.stderr).toMatch(/progress: 0\/2 runs done/);
      expect(first.stderr).toMatch(/progress: 2\/2 runs done, 0 running, 0 queued; 100% of training; ETA/);
    });

    describe("when the same command runs again", () => {
      let second: StudyResult;

      beforeAll(async () => {
        second = await runStudy([...MICRO_STUDY, "--workers", "2", "--name", name, "--out", outFile]);
      }, 60_000);

      it("exits with 0", () => {
        expect(second.stderr).not.toContain("study failed");
        expect(second.code).toBe(0);
      });

      it("keeps the completed runs and creates none", async () => {
        expect(await sweepRuns(name)).toEqual(firstRuns);
        expect(second.stderr).toContain("2 runs: 2 completed and kept, 0 queued or running, 0 newly queued");
      });

      it("starts no worker", () => {
        expect(second.stderr).not.toContain("starting");
        expect(second.stderr).not.toContain("[worker-");
      });
    });

    describe("when a run of the study has failed", () => {
      let third: StudyResult;
      let failedRunId: number;

      beforeAll(async () => {
        failedRunId = firstRuns[1].id;
        await prisma().run.update({ where: { id: failedRunId }, data: { status: "failed", error: "out of memory" } });
        third = await runStudy([...MICRO_STUDY, "--workers", "2", "--name", name, "--out", outFile]);
      }, 60_000);

      it("trains a new run in its place", async () => {
        const runs = await sweepRuns(name);

        expect(third.code).toBe(0);
        expect(runs.map((run) => [run.id, run.strategy, run.status])).toEqual([
          [firstRuns[0].id, "uniform", "completed"],
          [failedRunId, "clean-only", "failed"],
          [runs[2].id, "clean-only", "completed"],
        ]);
        expect(runs[0].finishedAt).toEqual(firstRuns[0].finishedAt);
        expect(third.stderr).toContain(`in place of failed run ${failedRunId} (out of memory)`);
      });
    });
  });

  describe("when a queued run's job is missing from the queue", () => {
    const name = "missing-job";
    let runId: number;
    let result: StudyResult;

    beforeAll(async () => {
      const dataset = await prisma().dataset.findUniqueOrThrow({ where: { name: "multi30k-micro" }, select: { id: true } });
      const sweep = await prisma().sweep.create({ data: { name } });
      runId = (await createRun({ datasetId: dataset.id, strategy: "uniform", preset: "micro", seed: 1, sweepId: sweep.id })).id;
      const { createdAt } = await prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { createdAt: true } });
      await runQueue().remove(runJobId({ id: runId, createdAt }));

      result = await runStudy(["--preset", "micro", "--data", "micro", "--seeds", "1", "--strategies", "uniform", "--name", name, "--out", path.join(stack.dataDir, "missing-job.md")]);
    }, 60_000);

    it("queues the job again and completes the run", async () => {
      expect(result.stderr).toContain(`run ${runId} is queued but its job was missing in queue ${stack.queueName}; queued it again`);
      expect(result.code).toBe(0);
      expect((await sweepRuns(name)).map((run) => [run.id, run.status])).toEqual([[runId, "completed"]]);
    });
  });

  describe("when the study is interrupted during a run", () => {
    const name = "interrupted";
    const args = [...MICRO_STUDY, "--epochs", String(INTERRUPTED_EPOCHS), "--workers", "1", "--name", name];
    let interrupted: StudyResult;
    let runsAtInterrupt: Awaited<ReturnType<typeof sweepRuns>>;
    let workerPids: number[];
    let descendantsAtInterrupt: number[];
    let resumed: StudyResult;

    beforeAll(async () => {
      const study = startStudy([...args, "--out", path.join(stack.dataDir, "interrupted.md")]);
      const [runA, runB] = await waitFor("the study to queue its runs", 60_000, async () => {
        const runs = await sweepRuns(name);
        return runs.length === 2 ? runs : undefined;
      });
      await waitFor(`run ${runB.id} to write a checkpoint after run ${runA.id} completed`, 90_000, async () => {
        const checkpoint = await prisma().checkpoint.findFirst({ where: { runId: runB.id } });
        const { status } = await prisma().run.findUniqueOrThrow({ where: { id: runA.id }, select: { status: true } });
        return checkpoint && status === "completed" ? true : undefined;
      });
      workerPids = childPids(study.child.pid as number);
      descendantsAtInterrupt = descendantPids(study.child.pid as number);
      runsAtInterrupt = await sweepRuns(name);
      study.child.kill("SIGINT");
      interrupted = await study.finished;

      resumed = await runStudy([...args, "--out", path.join(stack.dataDir, "resumed.md")]);
    }, 240_000);

    it("exits with 130 leaving the second run running", () => {
      expect(interrupted.code).toBe(130);
      expect(runsAtInterrupt.map((run) => run.status)).toEqual(["completed", "running"]);
    });

    it("stops the workers it started", async () => {
      expect(workerPids.length).toBe(1);
      await waitFor("the worker processes to exit", 20_000, async () => (descendantsAtInterrupt.some(isAlive) ? undefined : true));
    });

    it("completes when run again", async () => {
      const runs = await sweepRuns(name);

      expect(resumed.stderr).not.toContain("study failed");
      expect(resumed.code).toBe(0);
      expect(runs.map((run) => [run.id, run.status])).toEqual(runsAtInterrupt.map((run) => [run.id, "completed"]));
      expect(resumed.stderr).toContain("2 runs: 1 completed and kept, 1 queued or running, 0 newly queued");
    });

    it("keeps the completed run without training it again", async () => {
      const runs = await sweepRuns(name);

      expect(runs[0].finishedAt).toEqual(runsAtInterrupt[0].finishedAt);
    });

    it("resumes the interrupted run from its checkpoint", async () => {
      const resumedFrom = await prisma().metric.findFirst({ where: { runId: runsAtInterrupt[1].id, name: "resumed_from_epoch" } });

      expect(resumedFrom?.value).toBeGreaterThanOrEqual(1);
    });
  });

  describe("when an option is invalid", () => {
    it.each([
      [["--seeds", "0"], "--seeds must be a positive integer, got 0"],
      [["--seeds", "2", "--workers", "0"], "--workers must be a positive integer, got 0"],
      [["--seeds", "2", "--strategies", "uniform,nope"], '--strategies: unknown strategy "nope"'],
      [["--strategies", "uniform"], "--seeds is required"],
    ])("rejects %j naming the option", async (args, message) => {
      const result = await runStudy(args);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`study failed: ${message}`);
    });
  });
});
