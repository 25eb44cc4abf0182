import clsx, { type ClassValue } from "clsx";
import { twMerge } from "tailwind-merge";

/**
 * Join class names; falsy values are dropped, and a later Tailwind class wins
 * over an earlier one of the same kind (tailwind-merge), so a caller's
 * `w-auto` really replaces a component's `w-full`.
 */
export function cn(...values: ClassValue[]): string {
  return twMerge(clsx(values));
}
