export declare function drawIcon(): Buffer;
