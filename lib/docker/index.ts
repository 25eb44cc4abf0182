/**
 * lib/docker: the one gateway to Docker engines. Nothing else imports
 * dockerode (an ESLint rule enforces it); everything here returns our own
 * small types and throws DockerError.
 */
export * from "./client";
export * from "./errors";
export * from "./containers";
export * from "./exec";
export * from "./images";
export * from "./system";
export * from "./volumes";
export * from "./networks";
export * from "./archive";
export * from "./logs";
export { demux } from "./demux";
export * from "./credentials";
export * from "./disk";
export * from "./run";
export * from "./recreate";
