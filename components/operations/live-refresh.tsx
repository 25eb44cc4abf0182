"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** While an operation runs, re-read the page every two seconds (server-rendered journal, no client state). */
export function LiveRefresh({ active, intervalMs = 2_000 }: { active: boolean; intervalMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs, router]);
  return null;
}
