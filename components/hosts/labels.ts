export const KIND_LABEL = { socket: "Unix socket", tcp_tls: "TCP + mutual TLS", ssh: "SSH" } as const;
