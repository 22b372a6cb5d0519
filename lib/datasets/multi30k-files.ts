import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";

/**
 * The raw Multi30k files winnow reads (Elliott et al. 2016, "Multi30K: Multilingual
 * English-German Image Descriptions"), with the SHA-256 of each gzip file as published in the
 * dataset's repository (data/task1/raw and data/task2/raw).
 */
export const MULTI30K_FILES: Record<string, string> = {
  "task1.train.de.gz": "726e39b2fa9eb9ffb6dc763fb35a179f80fae06ffc5d28b6ace5faa883de28a6",
  "task1.train.en.gz": "d79cfa999dd4c51d2cb42499b6796d5a882c3a8a961923c25a898c90f8bbd56f",
  "task1.val.de.gz": "f0cba2f995189cf5770f29a8a9a537a3ad3f51657ad873405082ff6863a5e75a",
  "task1.val.en.gz": "14f7d25ddd868909a9213e361768460edcacdd6ab9d1e77b92560dc10c10dc28",
  "task1.test_2016_flickr.de.gz": "9204244e408ccb38d2a55cfcd344df15005fc42a07a6e55ca6c52b6ababb8cc8",
  "task1.test_2016_flickr.en.gz": "611d361c6334bc7246101d48097c13cf5c4413c5befc793cc629934359d532d9",
  "task2.train.1.de.gz": "0002241b52aba5160c08d644ea0d64a9bf46a2dfffcf619c9e3cdaa55b357004",
  "task2.train.1.en.gz": "a0e057f07a9733199c0d755d77f6d583dc6f40a3180734b1130a216e2fdf3a3b",
  "task2.train.2.de.gz": "ac7c29258b90aec0b64d677c5bfc831fc402e6296d0aa9cc7a3433ddbff85c37",
  "task2.train.2.en.gz": "d79dd70a9eafb2d1fe40151621278c4ae69b3c148c5052a53d7c7a41bf3ba023",
  "task2.train.3.de.gz": "ec5e6508813814aa31311b34e26e24f903dd7701f8d0668313259b7f975d7aa0",
  "task2.train.3.en.gz": "86e16fdcc699bcb6bca0f87c3cf1051f7de5ee3674dd588cedc5200194282749",
  "task2.train.4.de.gz": "bcee8ac6eb47d8a7dc8cff47d9a0fbd80b4363cfda22021bacd297f9604221a4",
  "task2.train.4.en.gz": "3771b84e010ad6197806d2a1188cb07c12149e3e0d178dd5966dee5763733686",
  "task2.train.5.de.gz": "dccb0ca6ff25e0b1f0d385f59fb809184e0db89622d88371725e3ec46d43bfc0",
  "task2.train.5.en.gz": "73988689307fe836994eae59735dc840c15da9775455fa76e6ed22606a042a91",
};

const DOWNLOAD_BASE = "https://raw.githubusercontent.com/multi30k/dataset/master/data";

function downloadUrl(file: string): string {
  return `${DOWNLOAD_BASE}/${file.startsWith("task1") ? "task1" : "task2"}/raw/${file}`;
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Reads one gzip file of the corpus as lines, checking its SHA-256 first. */
export async function readMulti30kLines(dir: string, file: string): Promise<string[]> {
  // Absolute, because the default MULTI30K_DIR is relative to the working directory.
  const filePath = path.resolve(dir, file);
  if (!existsSync(filePath)) {
    throw new Error(
      `Multi30k file not found: ${filePath}. Set MULTI30K_DIR (or the import's --dir) to the folder with the raw .gz files, or import with --download.`,
    );
  }
  const bytes = await readFile(filePath).catch((error: Error) => {
    throw new Error(`failed to read ${filePath}: ${error.message}`, { cause: error });
  });
  const expected = MULTI30K_FILES[file];
  const actual = sha256(bytes);
  if (expected && actual !== expected) {
    throw new Error(
      `${filePath}: SHA-256 ${actual} does not match the published ${expected}, so the file is damaged or not the Multi30k original. Delete it and download it again.`,
    );
  }
  const lines = gunzipSync(bytes).toString("utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/**
 * Downloads the files missing from `dir`, checking each SHA-256 before it is kept.
 * LIMITATION: never run here (no internet on the development machines); a test against a local
 * HTTP server serving the same files would cover it.
 */
export async function downloadMulti30k(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const fetched: string[] = [];
  for (const [file, expected] of Object.entries(MULTI30K_FILES)) {
    const target = path.join(dir, file);
    if (existsSync(target)) continue;
    const response = await fetch(downloadUrl(file));
    if (!response.ok) throw new Error(`download of ${downloadUrl(file)} failed: HTTP ${response.status}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (sha256(bytes) !== expected) {
      throw new Error(`download of ${file}: SHA-256 ${sha256(bytes)} does not match the published ${expected}`);
    }
    await writeFile(`${target}.part`, bytes);
    await rename(`${target}.part`, target);
    fetched.push(file);
  }
  return fetched;
}
