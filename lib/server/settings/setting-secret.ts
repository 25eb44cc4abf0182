/** The sealing context of a setting's secret part (Setting.secretEnc): bound to the setting's key. */
export const settingSecretContext = (key: string) => `setting:${key}`;
