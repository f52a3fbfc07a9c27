// roles.js - the staff roles' names as the console shows them.
export const ROLE_ZH = { admin: "管理员", reviewer: "审核员", support: "客服", auditor: "审计员" };
