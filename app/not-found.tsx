import Link from "next/link";

export default function NotFound() {
  return (
    <div className="panel">
      <h1>Not found</h1>
      <p>No run or page exists at this address.</p>
      <Link href="/">Back to the runs list</Link>
    </div>
  );
}
