export { deliveryWorkflow } from './delivery.js';
export { importWorkflow } from './import.js';
