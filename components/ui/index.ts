export { Button, ButtonLink } from "./button";
export { Card, Stat } from "./card";
export { EmptyState } from "./empty-state";
export { PageHeader } from "./page-header";
export { StatusBadge, type Tone } from "./status-badge";
export { Table } from "./table";
export { cn } from "./cn";
