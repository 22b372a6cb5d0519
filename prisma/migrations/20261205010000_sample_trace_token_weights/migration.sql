-- AlterTable
ALTER TABLE "SampleTrace" ADD COLUMN     "tokenWeights" DOUBLE PRECISION[];
