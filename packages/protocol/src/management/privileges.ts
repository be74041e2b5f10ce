/** The privileges of Lakegate's access model: their list lives with the wire's other plain values (constants.ts). */
export { PRIVILEGES, type Privilege } from '../constants.js';
