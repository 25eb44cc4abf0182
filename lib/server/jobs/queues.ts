/** Names of the job queues (pg-boss), shared by the workers and the web side. */
export const QUEUES = {
  hostSnapshots: "hosts-snapshot",
  registryTags: "registry-tags",
  operations: "operations",
  backupScheduler: "backup-scheduler",
  backupAlerts: "backup-alerts",
  refusalTallies: "refusal-tallies",
  housekeeping: "housekeeping",
  repositoryCheck: "repository-check",
  upgradeSchedules: "upgrade-schedules",
} as const;
