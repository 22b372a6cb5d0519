import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "winnow",
  description: "Train translation models on clean and noisy pairs and compare noise strategies.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">winnow</Link>
          <nav aria-label="Main">
            <Link href="/">Runs</Link>
            <Link href="/runs/new">New run</Link>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
